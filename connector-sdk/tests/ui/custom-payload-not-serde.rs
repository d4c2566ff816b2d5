use connector_sdk::connector;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::Serialize;

/// Lacks `Deserialize`.
#[derive(Serialize, JsonSchema)]
pub struct Ping {
    message: String,
}

/// Lacks `JsonSchema`.
#[derive(Serialize)]
pub struct Pong {
    message: String,
}

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    #[connector(custom, level = read)]
    async fn ping(&self, _cx: &ContextOf<Self>, req: Ping) -> Result<Pong> {
        Ok(Pong { message: req.message })
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
