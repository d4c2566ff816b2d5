use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App;

#[connector(app_id = "app")]
impl App {
    fn list_accounts(
        &self,
        _cx: &ContextOf<Self>,
        _req: ListEntitlements,
        _page: PageRequest<u32>,
    ) -> Result<Paged<FoundAccountData, u32>> {
        Ok(Paged::last(Vec::new()))
    }
}

fn main() {
    connector_sdk::cli::run::<App>();
}
