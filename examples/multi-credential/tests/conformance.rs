//! The multi-credential connector passes the conformance suite with its credential list;
//! an unknown credential id stands for wrong credentials (any non-empty token is accepted).

use connector_sdk::testing::{Fixtures, Rule, check};
use multi_credential::Directory;
use serde_json::json;

#[test]
fn multi_credential_conforms() {
    let fixtures = Fixtures::new(
        json!({}),
        json!({"credentials": [{"id": "api_token", "token": {"token": "t"}}]}),
    )
    .wrong_credentials(json!({"credentials": [{"id": "nope", "token": {"token": "t"}}]}));
    let report = check(Directory::default(), fixtures);
    for rule in [
        Rule::MissingCredentialsRejected,
        Rule::WrongCredentialsRejected,
        Rule::ResponseMatchesSchema,
    ] {
        assert!(report.checked.contains(&rule), "{rule} was not checked");
    }
}
