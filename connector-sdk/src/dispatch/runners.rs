//! The runners: one per kind of capability, each reading its call, running the
//! capability under the guard and writing the success envelope. `raw_data` is the
//! runtime's: null unless the request asked for it.

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::checks::Call;
use super::guard::guarded;
use super::{Answer, Failure, Invocation, checks, finish};
use crate::capability::{
    Capability, CapabilityLevel, CapabilityResult, ListCapability, ListResult,
};
use crate::connector::{Connector, ContextOf, UnauthenticatedContextOf};
use crate::context::Context;
use crate::error::Result;
use crate::page::{self, Page, PageRequest};
use crate::raw_data;
use crate::reply::{CustomSuccessEnvelope, Reply, SuccessEnvelope};

/// The request fingerprint of a write (the execution summary's), `None` for reads.
fn write_fingerprint<Cap: Capability, P: Serialize>(payload: &P) -> Option<String> {
    (Cap::LEVEL != CapabilityLevel::Read).then(|| crate::fingerprint::fingerprint(payload))
}

/// The `raw_data` of a response: what the capability returned, else the upstream bodies
/// the HTTP toolkit kept, and nothing at all unless the request asked for it.
fn raw_data_shown<S, A>(
    cx: &Context<S, A>,
    returned: Option<Value>,
    captured: Option<Value>,
) -> Option<Value> {
    cx.include_raw_data()
        .then(|| returned.or(captured))
        .flatten()
}

/// The success envelope of a single-payload capability's reply.
fn success_envelope<T: Serialize, S, A>(
    reply: Reply<T>,
    fingerprint: Option<&str>,
    cx: &Context<S, A>,
    captured: Option<Value>,
) -> SuccessEnvelope<T> {
    let (response, raw_data, execution_summary) = reply.into_parts(fingerprint);
    SuccessEnvelope {
        response,
        raw_data: raw_data_shown(cx, raw_data, captured),
        page: None,
        rate_limit: cx.rate_limit_response(),
        execution_summary,
    }
}

pub(crate) async fn run_standard<C, Cap, P, O, F>(
    connector: &C,
    invocation: Invocation<'_, C>,
    handler: F,
) -> Answer
where
    C: Connector,
    Cap: Capability,
    P: DeserializeOwned + Serialize + Send + 'static,
    O: CapabilityResult<Cap::Response>,
    F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>,
{
    let (runtime, capability) = (invocation.runtime, invocation.capability);
    let call = checks::authenticated::<C, P>(invocation, false);
    let outcome = run_single::<C, Cap, _, _, _, _>(connector, call, handler).await;
    finish(runtime, capability, outcome)
}

pub(crate) async fn run_unauthenticated<C, Cap, P, O, F>(
    connector: &C,
    invocation: Invocation<'_, C>,
    handler: F,
) -> Answer
where
    C: Connector,
    Cap: Capability,
    P: DeserializeOwned + Serialize + Send + 'static,
    O: CapabilityResult<Cap::Response>,
    F: for<'a> Fn(&'a C, &'a UnauthenticatedContextOf<C>, P) -> BoxFuture<'a, O>,
{
    let (runtime, capability) = (invocation.runtime, invocation.capability);
    let call = checks::unauthenticated::<C, P>(invocation);
    let outcome = run_single::<C, Cap, _, _, _, _>(connector, call, handler).await;
    finish(runtime, capability, outcome)
}

/// Runs a single-payload capability on its checked call (with or without credentials):
/// the handler under the guard, then its success envelope.
async fn run_single<C, Cap, A, P, O, F>(
    connector: &C,
    call: Result<Call<C::Settings, A, P>>,
    handler: F,
) -> std::result::Result<SuccessEnvelope<Cap::Response>, Failure>
where
    C: Connector,
    Cap: Capability,
    P: Serialize,
    O: CapabilityResult<Cap::Response>,
    F: for<'a> Fn(&'a C, &'a Context<C::Settings, A>, P) -> BoxFuture<'a, O>,
{
    let call = call?;
    let fingerprint = write_fingerprint::<Cap, P>(&call.request);
    let (reply, captured) = raw_data::collect(
        call.cx.include_raw_data(),
        guarded(
            handler(connector, &call.cx, call.request),
            CapabilityResult::into_reply,
        ),
    )
    .await;
    Ok(success_envelope(
        reply?,
        fingerprint.as_deref(),
        &call.cx,
        captured,
    ))
}

pub(crate) async fn run_list<C, Cap, P, O, F>(
    connector: &C,
    invocation: Invocation<'_, C>,
    handler: F,
) -> Answer
where
    C: Connector,
    Cap: ListCapability,
    P: DeserializeOwned + Serialize + Send + 'static,
    O: ListResult<Cap::Item>,
    F: for<'a> Fn(&'a C, &'a ContextOf<C>, P, PageRequest<O::Cursor>) -> BoxFuture<'a, O>,
{
    let (runtime, capability) = (invocation.runtime, invocation.capability);
    let default_size = invocation.default_page_size;
    let outcome = async {
        let call = checks::authenticated::<C, P>(invocation, false)?;
        let requested = call
            .page
            .as_ref()
            .and_then(|page| page.size)
            .filter(|size| *size > 0)
            .map(|size| {
                // A page size over the limit is read as the limit.
                let max = u32::try_from(crate::limits::MAX_PAGE_SIZE.get()).unwrap_or(u32::MAX);
                size.min(max)
            });
        let size = requested.unwrap_or(default_size);
        let cursor = match call.page.as_ref().and_then(|page| page.token.as_deref()) {
            Some(token) => Some(page::decode_token::<O::Cursor>(Cap::NAME, token)?),
            None => None,
        };
        let (paged, captured) = raw_data::collect(
            call.cx.include_raw_data(),
            guarded(
                handler(
                    connector,
                    &call.cx,
                    call.request,
                    PageRequest::new(size, cursor).with_requested_size(requested),
                ),
                ListResult::into_page,
            ),
        )
        .await;
        let paged = paged?;
        let size = paged.page_size().unwrap_or(size);
        let (items, next, raw_data) = paged.into_parts();
        let page = match next {
            Some(cursor) => Some(Page {
                token: Some(
                    page::encode_token(Cap::NAME, &cursor).map_err(|error| Failure {
                        error,
                        raised: true,
                    })?,
                ),
                size: Some(size),
            }),
            None => None,
        };
        Ok::<_, Failure>(SuccessEnvelope {
            response: items,
            raw_data: raw_data_shown(&call.cx, raw_data, captured),
            page,
            rate_limit: call.cx.rate_limit_response(),
            execution_summary: None,
        })
    }
    .await;
    finish(runtime, capability, outcome)
}

pub(crate) async fn run_custom<C, P, R, O, F>(
    connector: &C,
    invocation: Invocation<'_, C>,
    handler: F,
) -> Answer
where
    C: Connector,
    P: DeserializeOwned + Serialize + Send + 'static,
    R: Serialize + Send + 'static,
    O: CapabilityResult<R>,
    F: for<'a> Fn(&'a C, &'a ContextOf<C>, P) -> BoxFuture<'a, O>,
{
    let (runtime, capability) = (invocation.runtime, invocation.capability);
    let outcome = async {
        let call = checks::authenticated::<C, P>(invocation, true)?;
        let fingerprint = Some(crate::fingerprint::fingerprint(&call.request));
        let (reply, captured) = raw_data::collect(
            call.cx.include_raw_data(),
            guarded(
                handler(connector, &call.cx, call.request),
                CapabilityResult::into_reply,
            ),
        )
        .await;
        let (response, raw_data, execution_summary) = reply?.into_parts(fingerprint.as_deref());
        Ok::<_, Failure>(CustomSuccessEnvelope {
            page: None,
            raw_data: raw_data_shown(&call.cx, raw_data, captured),
            execution_summary,
            rate_limit: call.cx.rate_limit_response(),
            response,
        })
    }
    .await;
    finish(runtime, capability, outcome)
}

/// Runs a capability whose envelope is exempt from the credential and settings checks
/// (`app_info`): only the envelope's shape is checked.
pub(crate) async fn run_exempt<C, Cap, F>(
    connector: &C,
    invocation: Invocation<'_, C>,
    handler: F,
) -> Answer
where
    C: Connector,
    Cap: Capability,
    F: for<'a> Fn(&'a C, Cap::Payload) -> BoxFuture<'a, Result<Cap::Response>>,
{
    let (runtime, capability) = (invocation.runtime, invocation.capability);
    let outcome = async {
        let request = checks::exempt::<C, Cap::Payload>(invocation)?;
        let response = guarded(handler(connector, request), std::convert::identity).await?;
        Ok::<_, Failure>(SuccessEnvelope {
            response,
            raw_data: None,
            page: None,
            rate_limit: None,
            execution_summary: None,
        })
    }
    .await;
    finish(runtime, capability, outcome)
}
