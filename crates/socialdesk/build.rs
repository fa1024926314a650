//! Links the `socialdesk` binary with packed relative relocations (DT_RELR)
//! on Linux with glibc: the dynamic loader then reads about 30 KB of
//! relocations at start instead of about 2 MB, which stay in the idle
//! server's memory (docs/benchmarks.md, "Idle memory"). The binary then needs
//! glibc 2.36 or later (Debian 12, Ubuntu 23.04, RHEL 10) where it runs.

// Cargo reads a build script's instructions from its standard output.
#[allow(clippy::print_stdout)]
fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
