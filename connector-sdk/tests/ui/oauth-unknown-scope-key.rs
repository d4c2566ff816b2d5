use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[derive(serde::Deserialize, serde::Serialize, schemars::JsonSchema)]
pub struct Ping {}

#[connector(
    app_id = "app",
    auth = OAuthCredential,
    oauth(
        authorization_url = "https://idp.example.com/authorize",
        token_url = "https://idp.example.com/token",
        scopes(list_acounts = "users:read", ping = "ping", pong = "pong"),
    ),
)]
impl App {
    #[connector(custom)]
    fn ping(&self, _cx: &ContextOf<Self>, request: Ping) -> Result<Ping> {
        Ok(request)
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
