//! Repeats obsv-sys's rpath for this package's tests, examples and binaries:
//! `cargo:rustc-link-arg` from a build script only applies to the targets of
//! its own package. obsv-sys exports the directory as DEP_OBSV_LIB_DIR.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_OBSV_LIB_DIR");
    if let Some(dir) = std::env::var_os("DEP_OBSV_LIB_DIR") {
        let dir = dir
            .to_str()
            .expect("DEP_OBSV_LIB_DIR is UTF-8 (checked by obsv-sys)");
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
