//! pretend-app's `info`, pinned: a change to the connector's self-description (by hand or
//! by the `#[connector]` macro) shows up here in review.

use connector_sdk::info::info_envelope;
use pretend_app::PretendApp;

#[test]
fn info_is_unchanged() {
    insta::assert_json_snapshot!("pretend_app_info", info_envelope::<PretendApp>());
}
