use connector_sdk::connector;

#[derive(Default)]
#[connector(app_id = "on_a_struct")]
pub struct OnAStruct;

#[connector(app_id = "on_a_fn")]
pub fn on_a_fn() {}

fn main() {
    // The struct gets a stand-in implementation: this adds no error of its own.
    connector_sdk::cli::run::<OnAStruct>();
}
