//! The `#[connector]` attribute's diagnostics, as a connector author sees them, and a few
//! connectors that must compile (and one that must run).
//!
//! Bless after a deliberate change with `TRYBUILD=overwrite cargo test -p connector-sdk --test ui`,
//! then read every changed `.stderr`. Run one case with `cargo test -p connector-sdk --test ui -- ui trybuild=<file>.rs`.
//!
//! The messages depend on the compiler: the `.stderr` files were blessed on the toolchain
//! `rust-toolchain.toml` pins (1.95.0), which cargo uses in this workspace. On any other
//! compiler (`cargo +nightly test`, `RUSTUP_TOOLCHAIN=...`) these cases fail with a diff of
//! the messages rather than being skipped.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
