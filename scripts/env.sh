# Sourced by the scripts: puts the toolchains install-deps.sh may have
# fetched on PATH.
for d in "${HOME}"/.cache/obsv/go*/bin "${HOME}/.cargo/bin" /usr/local/go/bin; do
  [[ -d "$d" ]] && PATH="$d:$PATH"
done
export PATH
