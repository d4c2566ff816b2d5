use connector_sdk::connector;
use connector_sdk::prelude::*;

#[derive(Default)]
pub struct App<T>(T);

#[connector(app_id = "app")]
impl<T> App<T> {
    fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }
}

fn main() {
    connector_sdk::cli::run::<App<u8>>();
}

#[derive(Default)]
pub struct Borrowing<'a>(&'a str);

#[connector(app_id = "borrowing")]
impl<'a> Borrowing<'a> {
    fn validate_credentials(&self, _cx: &ContextOf<Self>, _req: ValidateCredentials) -> Result<ValidatedCredentials> {
        Ok(ValidatedCredentials::default())
    }
}
