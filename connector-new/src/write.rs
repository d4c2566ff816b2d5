//! Writing a scaffolded crate: its files, this repository's `Cargo.lock` and toolchain,
//! the lock's entry for the new crate (added offline, nothing else resolved), and the
//! formatting.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::plan::Plan;
use crate::render;

/// The root of the SDK checkout this tool was built from.
pub(crate) fn sdk_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

/// Writes the crate of `plan` into `target` (which must not exist yet), depending on the
/// SDK at `sdk`.
pub(crate) fn scaffold(plan: &Plan, target: &Path, sdk: &Path) -> Result<(), String> {
    if target.exists() {
        return Err(format!(
            "{} exists already; choose another name or remove it",
            target.display()
        ));
    }
    let io = |what: &str, path: &Path, err: std::io::Error| {
        format!("cannot {what} {}: {err}", path.display())
    };
    for file in render::files(plan, sdk) {
        let path = target.join(file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|err| io("create", parent, err))?;
        }
        std::fs::write(&path, file.text).map_err(|err| io("write", &path, err))?;
    }
    for name in ["Cargo.lock", "rust-toolchain.toml"] {
        let from = sdk.join(name);
        let to = target.join(name);
        std::fs::copy(&from, &to).map_err(|err| io("copy", &from, err))?;
    }
    lock_new_crate(target)?;
    format_new_crate(target);
    Ok(())
}

/// Formats the new crate with `cargo fmt` (the templates' substitutions leave long lines);
/// without rustfmt the files stay as written, which compile all the same.
fn format_new_crate(target: &Path) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let _ = Command::new(cargo)
        .args(["fmt", "--all"])
        .current_dir(target)
        .output();
}

/// Adds the new crate to the copied `Cargo.lock` without resolving anything else
/// (`cargo update --workspace --offline`), so `--locked` builds work from the start.
fn lock_new_crate(target: &Path) -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["update", "--workspace", "--offline", "--quiet"])
        .current_dir(target)
        .output()
        .map_err(|err| format!("cannot run cargo to lock the new crate: {err}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!(
            "cargo could not lock the new crate offline:\n{}",
            String::from_utf8_lossy(&output.stderr).trim()
        ))
    }
}
