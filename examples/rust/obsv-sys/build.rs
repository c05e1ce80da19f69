//! Finds libobsv.so and tells rustc to link it.
//!
//! Search order: `$OBSV_LIB_DIR` if set (and non-empty), else the lead's
//! CMake output `<workspace>/../../build/lib`, i.e. `/work/main/build/lib`
//! for this checkout. No pkg-config. The directory is also written into the
//! binaries' rpath so tests and examples run without LD_LIBRARY_PATH, and is
//! exported to dependents as `DEP_OBSV_LIB_DIR` (see `links` in Cargo.toml).

use std::env;
use std::path::{Path, PathBuf};
use std::process;

fn main() {
    println!("cargo:rerun-if-env-changed=OBSV_LIB_DIR");
    println!("cargo:rerun-if-changed=build.rs");

    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let (dir, origin) = match env::var_os("OBSV_LIB_DIR") {
        Some(d) if !d.is_empty() => (PathBuf::from(d), "OBSV_LIB_DIR"),
        // <workspace> is examples/rust, the parent of this crate.
        _ => (
            manifest_dir.join("../../../build/lib"),
            "the default <workspace>/../../build/lib",
        ),
    };

    let lib = dir.join("libobsv.so");
    if !lib.is_file() {
        let repo = manifest_dir.join("../../..");
        let repo = repo.canonicalize().unwrap_or(repo);
        fail(&format!(
            "libobsv.so not found in {} (from {origin}).\n\
             Build it first:\n  \
             cd {} && cmake --preset default && cmake --build build --target obsv\n\
             or point OBSV_LIB_DIR at the directory that holds libobsv.so.",
            dir.display(),
            repo.display()
        ));
    }
    let dir = dir.canonicalize().unwrap_or(dir);
    let dir = dir
        .to_str()
        .unwrap_or_else(|| fail("the libobsv.so directory is not valid UTF-8"));
    if dir.contains(',') {
        // `-Wl,-rpath,<dir>` would split the path at the comma.
        fail(&format!(
            "the libobsv.so directory must not contain a comma: {dir}"
        ));
    }

    // A rebuilt library needs no relink (it is a dylib), but one that appears
    // or moves must re-run this script.
    println!(
        "cargo:rerun-if-changed={}",
        Path::new(dir).join("libobsv.so").display()
    );
    println!("cargo:rustc-link-search=native={dir}");
    println!("cargo:rustc-link-lib=dylib=obsv");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    // For dependents' build scripts: DEP_OBSV_LIB_DIR.
    println!("cargo:lib_dir={dir}");
}

fn fail(message: &str) -> ! {
    // Cargo prints a failed build script's stderr.
    eprintln!("error: {message}");
    process::exit(1);
}
