//! Cross-crate tests of connector-sdk: a twin of the reference demo connector
//! ([`demo_app`]), a connector that misbehaves on purpose ([`hazard`]), a slow one for
//! serving tests ([`tortoise`]), and, under
//! `tests/`, fidelity, dispatch, CLI and hostile-input tests.

pub mod demo_app;
pub mod demo_oauth;
pub mod hazard;
pub mod tortoise;
