//! Cross-crate tests of connector-sdk.
