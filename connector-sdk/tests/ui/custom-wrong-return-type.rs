// A custom capability returns `Result<T>` or `Result<Reply<T>>`, where `T` is its
// serializable response: the compiler finds `T`, and says so when the return type is
// neither form, or `T` is not serializable.

use connector_sdk::connector;
use connector_sdk::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, JsonSchema)]
pub struct Ping {
    message: String,
}

#[derive(Serialize, JsonSchema)]
pub struct Pong {
    message: String,
}

/// Lacks `Serialize`.
#[derive(JsonSchema)]
pub struct Silent {
    message: String,
}

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    #[connector(custom, level = read)]
    fn ping(&self, _cx: &ContextOf<Self>, req: Ping) -> Pong {
        Pong { message: req.message }
    }

    #[connector(custom, level = read)]
    fn mute(&self, _cx: &ContextOf<Self>, req: Ping) -> Result<Silent> {
        Ok(Silent { message: req.message })
    }

    #[connector(custom, level = read)]
    fn hush(&self, _cx: &ContextOf<Self>, req: Ping) -> Result<Reply<Silent>> {
        Ok(Reply::new(Silent { message: req.message }))
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
