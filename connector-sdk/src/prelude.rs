//! `use connector_sdk::prelude::*;` brings what a connector author names: the
//! `#[connector]` macro, the context, result, error, page and reply types, the capability
//! markers (`caps`), and the wire models of the capabilities and credentials.
//!
//! The wire error models (`Error`, `ConnectorErrorCode`, `ConnectorErrorMetadata`, ...,
//! which would clash with [`ConnectorError`] and [`ErrorCode`]) are left out; name them
//! through [`crate::models`].

pub use crate::capability::{CapabilityLevel, Extends};
pub use crate::caps;
pub use crate::connector::{Connector, ContextOf, UnauthenticatedContextOf};
pub use crate::context::Context;
pub use crate::error::{ConnectorError, ErrorCode, Result};
pub use crate::models::probe::{
    ProbeCapabilityConfigStatus, ProbeCapabilityType, ProbeCheck, ProbeCheckName, ProbeCheckSource,
    ProbeCheckStatus, ProbeConfigFinding, ProbeConfigFindingSeverity, ProbeCoverageStatus,
    ProbeCustomAttributeResult, ProbeEntitlementTypeResult, ProbeIntegration, ProbeResults,
    ProbeSample, ProbeSampleAccount, ProbeSampleAssociation, ProbeSampleCapabilityConfig,
    ProbeSampleCustomAttribute, ProbeSampleEntitlement, ProbeStatus,
};
pub use crate::models::{
    accounts::*, activity::*, applications::*, auth::*, entitlements::*, expenses::*, graph::*,
    misc::*, nhi::*, oauth::*, resources::*,
};
pub use crate::page::{PageRequest, Paged};
pub use crate::reply::Reply;
pub use crate::secret::Secret;
#[cfg(feature = "macros")]
pub use connector_sdk_macros::connector;
