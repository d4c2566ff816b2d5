//! What a capability returns besides its payload, and the success envelope.

use serde::Serialize;
use serde_json::Value;

use crate::models::ExecutionSummary;
use crate::page::Page;

/// A capability's answer: the response payload plus optional `raw_data` and
/// `execution_summary`. A capability may return the bare payload instead; it converts.
///
/// ```
/// use connector_sdk::Reply;
/// use connector_sdk::models::AssignedEntitlement;
///
/// let reply: Reply<AssignedEntitlement> = AssignedEntitlement { assigned: true }.into();
/// let reply = reply.with_raw_data(serde_json::json!({"status": "ok"}));
/// assert!(reply.raw_data().is_some());
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T> {
    response: T,
    raw_data: Option<Value>,
    execution_summary: Option<ExecutionSummary>,
}

impl<T> Reply<T> {
    /// A reply with this payload.
    pub fn new(response: T) -> Self {
        Reply {
            response,
            raw_data: None,
            execution_summary: None,
        }
    }

    /// Attaches the app's raw answer.
    pub fn with_raw_data(mut self, raw_data: Value) -> Self {
        self.raw_data = Some(raw_data);
        self
    }

    /// Attaches what a write did.
    pub fn with_execution_summary(mut self, summary: ExecutionSummary) -> Self {
        self.execution_summary = Some(summary);
        self
    }

    /// The payload.
    pub fn response(&self) -> &T {
        &self.response
    }

    /// The raw data, if any.
    pub fn raw_data(&self) -> Option<&Value> {
        self.raw_data.as_ref()
    }

    /// The execution summary, if any.
    pub fn execution_summary(&self) -> Option<&ExecutionSummary> {
        self.execution_summary.as_ref()
    }

    pub(crate) fn into_parts(self) -> (T, Option<Value>, Option<ExecutionSummary>) {
        (self.response, self.raw_data, self.execution_summary)
    }
}

impl<T> From<T> for Reply<T> {
    fn from(response: T) -> Self {
        Reply::new(response)
    }
}

/// The success envelope of a standard capability, in the reference's key order.
#[derive(Serialize)]
pub(crate) struct SuccessEnvelope<T> {
    pub response: T,
    pub raw_data: Option<Value>,
    pub page: Option<Page>,
    pub rate_limit: Option<Value>,
    pub execution_summary: Option<ExecutionSummary>,
}

/// The success envelope of a custom capability: the reference orders its keys differently.
#[derive(Serialize)]
pub(crate) struct CustomSuccessEnvelope<T> {
    pub page: Option<Page>,
    pub raw_data: Option<Value>,
    pub execution_summary: Option<ExecutionSummary>,
    pub rate_limit: Option<Value>,
    pub response: T,
}
