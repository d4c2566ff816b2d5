//! What a capability returns besides its payload, and the success envelope.

use serde::Serialize;
use serde_json::Value;

use crate::models::{Effect, ExecutionSummary, NoopEffectReason};
use crate::page::Page;

/// A capability's answer: the response payload plus optional `raw_data` and
/// `execution_summary`. A capability may return the bare payload instead; it converts.
///
/// A write states its effect in one line; the runtime adds the request's fingerprint:
///
/// ```
/// use connector_sdk::Reply;
/// use connector_sdk::models::{AccountStatus, CreatedAccount, DeactivatedAccount};
///
/// let created = Reply::created(CreatedAccount { id: Some("u-1".into()), status: AccountStatus::Active, created: true })
///     .described("Created account u-1");
/// let already = Reply::unchanged(DeactivatedAccount { status: AccountStatus::Inactive, deactivated: true }).idempotent();
/// # let _ = (created, already);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Reply<T> {
    response: T,
    raw_data: Option<Value>,
    summary: Option<Summary>,
}

#[derive(Clone, Debug, PartialEq)]
enum Summary {
    Given(ExecutionSummary),
    Pending {
        effect: Effect,
        is_idempotent: bool,
        description: Option<String>,
    },
}

impl<T> Reply<T> {
    /// A reply with this payload.
    pub fn new(response: T) -> Self {
        Reply {
            response,
            raw_data: None,
            summary: None,
        }
    }

    fn with_effect(response: T, effect: Effect) -> Self {
        Reply {
            response,
            raw_data: None,
            summary: Some(Summary::Pending {
                effect,
                is_idempotent: false,
                description: None,
            }),
        }
    }

    /// A reply saying the write created a record.
    pub fn created(response: T) -> Self {
        Reply::with_effect(response, Effect::Created)
    }

    /// A reply saying the write changed a record.
    pub fn updated(response: T) -> Self {
        Reply::with_effect(response, Effect::Updated)
    }

    /// A reply saying the write removed a record.
    pub fn deleted(response: T) -> Self {
        Reply::with_effect(response, Effect::Deleted)
    }

    /// A reply saying nothing had to change: the app already was in the state asked for.
    pub fn unchanged(response: T) -> Self {
        Reply::with_effect(
            response,
            Effect::Noop {
                reason: NoopEffectReason::StateAlreadyMatches,
            },
        )
    }

    /// Marks the write idempotent: the same request again has the same result.
    pub fn idempotent(mut self) -> Self {
        if let Some(Summary::Pending { is_idempotent, .. }) = &mut self.summary {
            *is_idempotent = true;
        }
        self
    }

    /// Adds a human-readable description of what the write did.
    pub fn described(mut self, text: impl Into<String>) -> Self {
        if let Some(Summary::Pending { description, .. }) = &mut self.summary {
            *description = Some(text.into());
        }
        self
    }

    /// Attaches the app's raw answer.
    pub fn with_raw_data(mut self, raw_data: Value) -> Self {
        self.raw_data = Some(raw_data);
        self
    }

    /// Attaches a complete execution summary (the fingerprint included).
    pub fn with_execution_summary(mut self, summary: ExecutionSummary) -> Self {
        self.summary = Some(Summary::Given(summary));
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

    /// The effect stated for this reply, if any.
    pub fn effect(&self) -> Option<&Effect> {
        match &self.summary {
            Some(Summary::Given(summary)) => Some(&summary.effect),
            Some(Summary::Pending { effect, .. }) => Some(effect),
            None => None,
        }
    }

    /// The parts, with a stated effect completed by the request's fingerprint.
    pub(crate) fn into_parts(
        self,
        fingerprint: Option<&str>,
    ) -> (T, Option<Value>, Option<ExecutionSummary>) {
        let summary = self.summary.map(|summary| match summary {
            Summary::Given(summary) => summary,
            Summary::Pending {
                effect,
                is_idempotent,
                description,
            } => ExecutionSummary {
                effect,
                request_fingerprint: fingerprint.unwrap_or_default().to_owned(),
                is_idempotent,
                description,
                caught_errors: None,
            },
        });
        (self.response, self.raw_data, summary)
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
