//! `connector-new`: scaffolds a connector crate that builds and passes its tests at once.
//!
//! ```text
//! cargo run -p connector-new -- new <name> [--auth token|basic|oauth|oauth-client-credentials] [--multi-credential]
//! ```
//!
//! It writes `./<name>`: a `#[connector]` impl on the HTTP toolkit (validate_credentials,
//! list_accounts, list_entitlements, find_entitlement_associations, assign_entitlement,
//! unassign_entitlement; with OAuth, an `oauth(...)` declaration whose flow the SDK runs),
//! a settings type, a README, and tests against a wiremock tenant: the SDK's conformance
//! suite and what it cannot know about the app. The crate depends on this checkout
//! by path, has its own `[workspace]`, and carries this repository's `Cargo.lock` and
//! toolchain, so `cargo test --offline --locked` works in it straight away.

#![forbid(unsafe_code)]

mod plan;
mod render;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::plan::{AuthChoice, Plan};

/// Scaffolds connector crates on connector-sdk.
#[derive(Parser)]
#[command(name = "connector-new", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a new connector crate into ./<name>.
    New {
        /// The crate's name: lowercase letters, digits and `-`, starting with a letter.
        name: String,
        /// How the connector authenticates to the app.
        #[arg(long, value_enum, default_value_t = AuthChoice::Token)]
        auth: AuthChoice,
        /// Declare the credential in a list of named credentials (`credentials = [...]`)
        /// instead of the single `auth`.
        #[arg(long)]
        multi_credential: bool,
    },
}

fn main() -> ExitCode {
    let Command::New {
        name,
        auth,
        multi_credential,
    } = Cli::parse().command;
    let plan = match Plan::new(&name, auth, multi_credential) {
        Ok(plan) => plan,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let target = PathBuf::from(&plan.crate_name);
    match write::scaffold(&plan, &target, &write::sdk_root()) {
        Ok(()) => {
            println!(
                "Wrote {0}/. Next:\n  cd {0} && cargo test --offline --locked",
                plan.crate_name
            );
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
