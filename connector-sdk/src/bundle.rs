//! `<bin> dev build-bundle`: the archive the on-prem agent installs and auto-updates from,
//! `bundled/<app_id>-<version>.tar.gz`, laid out as the reference's bundle: the connector
//! executable `main`, `THIRD_PARTY_LICENSES.txt` and `metadata.toml`
//! (`[connector]`, `app_id = "<app_id>_on_prem"`, `version = "…"`), every entry mode 0770.
//!
//! The executable is the running binary itself, so the bundle is built by running the
//! release build: `target/connector/<bin> dev build-bundle`. The licences come from the
//! Cargo dependency tree (`licenses.rs`). The archive's path is printed on stdout,
//! progress on stderr.

mod licenses;

use std::ffi::OsString;
use std::fs::File;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Arg, ArgMatches, Command};
use flate2::Compression;
use flate2::write::GzEncoder;

use crate::connector::{Connector, Metadata};

/// The mode of every entry in the archive, as the reference's.
const ENTRY_MODE: u32 = 0o770;

/// The executable's name in the archive: the agent runs `main`, as in the reference's bundle.
const EXECUTABLE: &str = "main";

/// The `dev` subcommand and its `build-bundle` command.
pub(crate) fn dev_command() -> Command {
    let path_arg = |name: &'static str, help: &'static str| {
        Arg::new(name)
            .long(name)
            .value_name("PATH")
            .help(help)
            .value_parser(clap::value_parser!(OsString))
    };
    Command::new("dev")
        .about("Tools for the connector's developer")
        .subcommand_required(true)
        .subcommand(
            Command::new("build-bundle")
                .about("Package this binary for the on-prem agent: bundled/<app_id>-<version>.tar.gz")
                .arg(path_arg(
                    "output-directory",
                    "Where to write the archive [default: bundled]",
                ))
                .arg(path_arg(
                    "manifest-path",
                    "The connector's Cargo.toml, for the licences [default: the nearest one above the current directory]",
                ))
                .arg(
                    Arg::new("package")
                        .long("package")
                        .value_name("NAME")
                        .help("The connector's Cargo package [default: the one building this binary]"),
                ),
        )
}

/// Runs `dev <command>` for connector `C`: exit 0 with the archive's path on stdout, or 1
/// with one line on stderr.
pub(crate) fn run_dev<C: Connector>(matches: &ArgMatches) -> ExitCode {
    let Some(("build-bundle", args)) = matches.subcommand() else {
        eprintln!("error: `dev` needs a command: build-bundle");
        return ExitCode::from(2);
    };
    let path = |name: &str| args.get_one::<OsString>(name).map(PathBuf::from);
    let request = BundleRequest {
        output_directory: path("output-directory").unwrap_or_else(|| PathBuf::from("bundled")),
        manifest_path: path("manifest-path"),
        package: args.get_one::<String>("package").cloned(),
    };
    match build_bundle(&C::metadata(), &request) {
        Ok(archive) => {
            println!("{}", archive.display());
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: cannot build the bundle: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What `dev build-bundle` was asked for.
struct BundleRequest {
    output_directory: PathBuf,
    manifest_path: Option<PathBuf>,
    package: Option<String>,
}

/// Builds the archive and returns its path.
fn build_bundle(metadata: &Metadata, request: &BundleRequest) -> Result<PathBuf, String> {
    let binary =
        std::env::current_exe().map_err(|err| format!("cannot find this executable: {err}"))?;
    if cfg!(debug_assertions) {
        eprintln!(
            "note: {} is a debug build; bundle the release build (`cargo build --profile connector`)",
            binary.display()
        );
    }
    let bin_name = binary
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    eprintln!("Collecting third-party licences from the Cargo dependency tree");
    let notices = licenses::third_party_licenses(
        request.manifest_path.as_deref(),
        request.package.as_deref(),
        &bin_name,
    )?;
    std::fs::create_dir_all(&request.output_directory).map_err(|err| {
        format!(
            "cannot create {}: {err}",
            request.output_directory.display()
        )
    })?;
    let archive = request
        .output_directory
        .join(format!("{}-{}.tar.gz", metadata.app_id, metadata.version));
    eprintln!("Bundling {} into {}", binary.display(), archive.display());
    let partial = archive.with_extension("gz.part");
    write_archive(&partial, &binary, &notices, &metadata_toml(metadata))
        .map_err(|err| format!("cannot write {}: {err}", partial.display()))?;
    std::fs::rename(&partial, &archive)
        .map_err(|err| format!("cannot move the archive to {}: {err}", archive.display()))?;
    Ok(archive)
}

/// The `metadata.toml` the agent reads to know the connector and its version.
fn metadata_toml(metadata: &Metadata) -> String {
    let app_id = format!(
        "{}_on_prem",
        metadata
            .app_id
            .strip_suffix("_on_prem")
            .unwrap_or(metadata.app_id)
    );
    // A JSON string is a valid TOML basic string for these values (same escapes).
    let quoted = |text: &str| serde_json::to_string(text).unwrap_or_default();
    format!(
        "[connector]\napp_id = {}\nversion = {}\n",
        quoted(&app_id),
        quoted(metadata.version)
    )
}

/// Writes the gzip-compressed tar: the executable, the licences and the metadata.
fn write_archive(path: &Path, binary: &Path, notices: &str, metadata: &str) -> std::io::Result<()> {
    let mut builder =
        tar::Builder::new(GzEncoder::new(File::create(path)?, Compression::default()));
    let mtime = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let mut append = |name: &str, size: u64, data: &mut dyn std::io::Read| {
        let mut header = tar::Header::new_gnu();
        header.set_size(size);
        header.set_mode(ENTRY_MODE);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        builder.append_data(&mut header, name, data)
    };
    let executable = File::open(binary)?;
    let size = executable.metadata()?.len();
    append(EXECUTABLE, size, &mut &executable)?;
    append(
        "THIRD_PARTY_LICENSES.txt",
        notices.len() as u64,
        &mut notices.as_bytes(),
    )?;
    append(
        "metadata.toml",
        metadata.len() as u64,
        &mut metadata.as_bytes(),
    )?;
    let mut file = builder.into_inner()?.finish()?;
    file.flush()?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_names_the_on_prem_app_once() {
        let expected = "[connector]\napp_id = \"okta_on_prem\"\nversion = \"1.2.3\"\n";
        assert_eq!(metadata_toml(&Metadata::new("okta", "1.2.3")), expected);
        assert_eq!(
            metadata_toml(&Metadata::new("okta_on_prem", "1.2.3")),
            expected
        );
    }
}
