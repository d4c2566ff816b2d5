//! Implementation detail of `connector-sdk`: the `#[connector]` attribute.
//! Depend on `connector-sdk` and use `connector_sdk::connector` instead.
