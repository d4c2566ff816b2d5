//! `THIRD_PARTY_LICENSES.txt` for the bundle: every crate the connector's binary links
//! (its normal dependencies, transitively, for this platform), with version, licence and
//! repository, read from `cargo metadata`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

/// The parts of `cargo metadata --format-version 1` this file reads.
#[derive(Deserialize)]
struct CargoMetadata {
    packages: Vec<Package>,
    workspace_members: Vec<String>,
    resolve: Option<Resolve>,
}

#[derive(Deserialize)]
struct Package {
    id: String,
    name: String,
    version: String,
    license: Option<String>,
    license_file: Option<String>,
    repository: Option<String>,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

#[derive(Deserialize)]
struct Resolve {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct Node {
    id: String,
    deps: Vec<NodeDep>,
}

#[derive(Deserialize)]
struct NodeDep {
    pkg: String,
    dep_kinds: Vec<DepKind>,
}

#[derive(Deserialize)]
struct DepKind {
    /// `null` for a normal dependency, `"dev"` or `"build"` otherwise.
    kind: Option<String>,
}

/// The licences text for the package named `package`, or else the workspace member
/// building the binary `bin_name`, of the workspace at `manifest_path` (default: the
/// nearest `Cargo.toml` above the current directory).
pub(super) fn third_party_licenses(
    manifest_path: Option<&Path>,
    package: Option<&str>,
    bin_name: &str,
) -> Result<String, String> {
    let manifest = match manifest_path {
        Some(path) => path.to_path_buf(),
        None => nearest_manifest()?,
    };
    let metadata = cargo_metadata(&manifest)?;
    let root = root_package(&metadata, package, bin_name)?;
    Ok(render(&metadata, root))
}

/// The nearest `Cargo.toml` in the current directory or above it.
fn nearest_manifest() -> Result<PathBuf, String> {
    let cwd = std::env::current_dir()
        .map_err(|err| format!("cannot read the current directory: {err}"))?;
    cwd.ancestors()
        .map(|dir| dir.join("Cargo.toml"))
        .find(|manifest| manifest.is_file())
        .ok_or_else(|| {
            "no Cargo.toml in the current directory or above it; pass --manifest-path".to_owned()
        })
}

/// Runs `cargo metadata` (the `CARGO` of the environment, else `cargo`) for this platform.
fn cargo_metadata(manifest: &Path) -> Result<CargoMetadata, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(manifest);
    if let Some(triple) = host_triple() {
        command.args(["--filter-platform", &triple]);
    }
    let output = command
        .output()
        .map_err(|err| format!("cannot run cargo metadata (is cargo installed?): {err}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let reason = stderr.lines().find(|line| !line.trim().is_empty());
        return Err(format!(
            "cargo metadata failed for {}: {}",
            manifest.display(),
            reason.unwrap_or("no message")
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|err| format!("cannot read cargo metadata's output: {err}"))
}

/// The target triple this binary was built for, where it is one of the usual ones.
fn host_triple() -> Option<String> {
    let arch = std::env::consts::ARCH;
    let rest = match (std::env::consts::OS, cfg!(target_env = "musl")) {
        ("linux", false) => "unknown-linux-gnu",
        ("linux", true) => "unknown-linux-musl",
        ("macos", _) => "apple-darwin",
        ("windows", _) if cfg!(target_env = "msvc") => "pc-windows-msvc",
        _ => return None,
    };
    Some(format!("{arch}-{rest}"))
}

/// The package named `package`, or the workspace member with a binary named `bin_name`.
fn root_package<'a>(
    metadata: &'a CargoMetadata,
    package: Option<&str>,
    bin_name: &str,
) -> Result<&'a Package, String> {
    let members: BTreeSet<&str> = metadata
        .workspace_members
        .iter()
        .map(String::as_str)
        .collect();
    let mut candidates = metadata
        .packages
        .iter()
        .filter(|candidate| members.contains(candidate.id.as_str()));
    match package {
        Some(name) => candidates
            .find(|candidate| candidate.name == name)
            .ok_or_else(|| format!("no package {name} in the workspace")),
        None => candidates
            .find(|candidate| {
                candidate.targets.iter().any(|target| {
                    target.name == bin_name && target.kind.iter().any(|kind| kind == "bin")
                })
            })
            .ok_or_else(|| {
                format!("no package in the workspace builds the binary {bin_name}; pass --package")
            }),
    }
}

/// The licences text: one block per dependency of `root`, sorted by name and version.
fn render(metadata: &CargoMetadata, root: &Package) -> String {
    let packages: BTreeMap<&str, &Package> = metadata
        .packages
        .iter()
        .map(|package| (package.id.as_str(), package))
        .collect();
    let nodes: BTreeMap<&str, &Node> = metadata
        .resolve
        .iter()
        .flat_map(|resolve| &resolve.nodes)
        .map(|node| (node.id.as_str(), node))
        .collect();
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.id.as_str()];
    while let Some(id) = todo.pop() {
        let Some(node) = nodes.get(id) else { continue };
        for dep in &node.deps {
            let normal = dep.dep_kinds.iter().any(|kind| kind.kind.is_none());
            if normal && seen.insert(dep.pkg.as_str()) {
                todo.push(dep.pkg.as_str());
            }
        }
    }
    let mut used: Vec<&Package> = seen
        .iter()
        .filter_map(|id| packages.get(id))
        .copied()
        .collect();
    used.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));

    let mut text = format!(
        "Third-party software in {} {}: the crates its binary is built from, with their licences\n(SPDX expressions from each crate's Cargo.toml).\n",
        root.name, root.version
    );
    for package in used {
        let license = match (&package.license, &package.license_file) {
            (Some(license), _) => license.clone(),
            (None, Some(file)) => format!("see {file}"),
            (None, None) => "not declared".to_owned(),
        };
        text.push_str(&format!(
            "\n{} {}\n  License: {license}\n",
            package.name, package.version
        ));
        if let Some(repository) = &package.repository {
            text.push_str(&format!("  Repository: {repository}\n"));
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_normal_dependencies_are_listed_transitively() {
        let metadata: CargoMetadata = serde_json::from_value(serde_json::json!({
            "workspace_members": ["app"],
            "packages": [
                {"id": "app", "name": "app", "version": "1.0.0", "license": null, "license_file": null,
                 "repository": null, "targets": [{"name": "app", "kind": ["bin"]}]},
                {"id": "a", "name": "a", "version": "0.1.0", "license": "MIT", "license_file": null,
                 "repository": "https://example.invalid/a", "targets": []},
                {"id": "b", "name": "b", "version": "2.0.0", "license": null, "license_file": "LICENSE",
                 "repository": null, "targets": []},
                {"id": "t", "name": "t", "version": "3.0.0", "license": "MIT", "license_file": null,
                 "repository": null, "targets": []}
            ],
            "resolve": {"nodes": [
                {"id": "app", "deps": [
                    {"pkg": "a", "dep_kinds": [{"kind": null}]},
                    {"pkg": "t", "dep_kinds": [{"kind": "dev"}]}
                ]},
                {"id": "a", "deps": [{"pkg": "b", "dep_kinds": [{"kind": null}]}]},
                {"id": "b", "deps": []},
                {"id": "t", "deps": []}
            ]}
        }))
        .unwrap();
        let root = root_package(&metadata, None, "app").unwrap();
        let text = render(&metadata, root);
        assert!(
            text.contains("\na 0.1.0\n  License: MIT\n  Repository: https://example.invalid/a\n"),
            "{text}"
        );
        assert!(
            text.contains("\nb 2.0.0\n  License: see LICENSE\n"),
            "{text}"
        );
        assert!(!text.contains("t 3.0.0"), "{text}");
        assert!(root_package(&metadata, None, "other").is_err());
    }
}
