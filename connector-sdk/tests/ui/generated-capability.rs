use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    fn app_info(&self, _cx: &ContextOf<Self>, _req: AppInfoRequestPayload) -> Result<AppInfo> {
        unreachable!("never run")
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
