use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(
    app_id = "app",
    auth = OAuthCredential,
    oauth(token_url = "https://idp.example.com/token", pkce = true),
)]
impl App {}

fn main() {
    connector_sdk::cli::run::<App>();
}
