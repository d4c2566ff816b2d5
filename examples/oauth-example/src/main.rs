//! The oauth-example command line: `oauth-example info`,
//! `oauth-example get_authorization_url --json '{...}'`, `oauth-example list_accounts ...`.

fn main() -> std::process::ExitCode {
    connector_sdk::cli::run::<oauth_example::OAuthExample>()
}
