//! Generates the oneVPL types from the installed headers (libvpl-dev), API 2.8, with
//! ONEVPL_EXPERIMENTAL off. bindgen also emits compile-time size/offset assertions for every struct,
//! so a layout mismatch with the headers fails the build.

use std::env;
use std::path::PathBuf;

fn main() {
    let include = env::var("VPLRS_VPL_INCLUDE").unwrap_or_else(|_| "/usr/include".to_owned());
    let header = PathBuf::from(&include).join("vpl/mfx.h");
    println!("cargo:rerun-if-changed={}", header.display());
    println!("cargo:rerun-if-env-changed=VPLRS_VPL_INCLUDE");
    println!("cargo:rerun-if-changed=build.rs");
    // Calls from inside the library to its own exports (decode+VPP drives MFXVideoDECODE_*) must
    // reach its own functions: without this, the dynamic linker may bind them to the dispatcher's
    // functions of the same names, already loaded in the process, which take the dispatcher's
    // session handles.
    println!("cargo:rustc-cdylib-link-arg=-Wl,-Bsymbolic-functions");

    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .clang_arg(format!("-I{include}"))
        .clang_arg("-xc")
        .allowlist_type("mfx.*")
        .allowlist_var("MFX_.*")
        // A `static const` in a header is no symbol any library exports: defined in Rust instead.
        .blocklist_item("MFX_GUID_SURFACE_POOL")
        // Status codes and enumerators stay integers: never a Rust enum read from C.
        .prepend_enum_name(false)
        .derive_default(true)
        .derive_debug(false)
        .layout_tests(true)
        .generate_comments(false)
        .parse_callbacks(Box::new(bindgen::CargoCallbacks::new()))
        .generate()
        .expect("bindgen failed on the oneVPL headers (is libvpl-dev installed?)");

    let out = PathBuf::from(env::var("OUT_DIR").expect("OUT_DIR")).join("bindings.rs");
    bindings.write_to_file(out).expect("writing bindings.rs");
}
