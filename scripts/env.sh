# Sourced by the scripts: puts the toolchains install-deps.sh may have
# fetched on PATH.
for d in "${HOME}"/.cache/obsv/go*/bin "${HOME}/.cargo/bin" /usr/local/go/bin; do
  [[ -d "$d" ]] && PATH="$d:$PATH"
done
export PATH

# pip that also works with Debian's externally managed system Python (PEP 668).
pip_install() {
  local extra=()
  if python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")))' 2>/dev/null; then
    extra=(--break-system-packages)
  fi
  python3 -m pip install -q "${extra[@]}" "$@"
}
