use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(
    app_id = "app",
    auth = OAuthClientCredential,
    oauth(
        flow = client_credentials,
        authorization_url = "https://idp.example.com/authorize",
        token_url = "https://idp.example.com/token",
    ),
)]
impl App {}

fn main() {
    connector_sdk::cli::run::<App>();
}
