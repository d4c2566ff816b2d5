//! Cross-crate tests of connector-sdk: a twin of the reference demo connector
//! ([`demo_app`]), a connector that misbehaves on purpose ([`hazard`]), and, under
//! `tests/`, fidelity, dispatch, CLI and hostile-input tests.

pub mod demo_app;
pub mod demo_oauth;
pub mod hazard;
