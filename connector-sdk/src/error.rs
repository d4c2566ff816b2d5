//! Errors: the classification of the protocol's error codes (the codes, faults and
//! categories themselves are generated from the spec into [`crate::models`]), and
//! [`ConnectorError`], the error every capability returns.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::models::ConnectorErrorCodeUnion;

/// The result type of every capability.
pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;

/// The family an error belongs to: the spec's `ConnectorErrorCategory`.
pub use crate::models::ConnectorErrorCategory as ErrorCategory;
/// The protocol's canonical error codes: the spec's `ConnectorErrorCode`, generated in
/// [`crate::models`], under the name authors use.
///
/// Serializing writes canonical names; [`ErrorCode::parse`] also reads the deprecated
/// `ErrorCode` names and maps them to their canonical code, as the reference does.
///
/// ```
/// use connector_sdk::ErrorCode;
///
/// let code: ErrorCode = serde_json::from_str("\"internal_error\"").unwrap();
/// assert_eq!(code, ErrorCode::InternalError);
/// assert!(code.retryable());
/// assert_eq!(ErrorCode::parse("unexpected_error"), Some(ErrorCode::InternalError));
/// ```
pub use crate::models::ConnectorErrorCode as ErrorCode;
/// Who is at fault for an error: the spec's `ConnectorErrorFault`.
pub use crate::models::ConnectorErrorFault as ErrorFault;
/// `error_metadata`, how a caller should treat an error: the spec's `ConnectorErrorMetadata`.
pub use crate::models::ConnectorErrorMetadata as ErrorMetadata;
/// The `error` object of the error envelope: the spec's `Error`.
pub use crate::models::Error as ErrorBody;

/// How the reference classifies one error code. The spec names the codes, faults and
/// categories but not which code has which: that is the behaviour of connector-py's typed
/// errors (`connector.oai.errors`), written out once here.
struct Classification {
    /// The reference's error class, written into `raised_by`.
    kind: &'static str,
    fault: ErrorFault,
    category: ErrorCategory,
    retryable: bool,
    throttled: bool,
    refreshable: bool,
    /// The `DEFAULT_HINT` of the reference's class.
    hint: Option<&'static str>,
}

macro_rules! classification {
    ($(
        $(#[$doc:meta])*
        $variant:ident, $ctor:ident, $kind:literal, $fault:ident, $category:ident,
            retryable: $retryable:literal, throttled: $throttled:literal, refreshable: $refreshable:literal,
            hint: $hint:expr;
    )*) => {
        impl ErrorCode {
            /// The reference's classification of this code. The match is exhaustive: a code
            /// the spec adds does not compile until it is classified here.
            fn classification(self) -> Classification {
                match self {
                    $(ErrorCode::$variant => Classification {
                        kind: $kind,
                        fault: ErrorFault::$fault,
                        category: ErrorCategory::$category,
                        retryable: $retryable,
                        throttled: $throttled,
                        refreshable: $refreshable,
                        hint: $hint,
                    },)*
                }
            }
        }

        impl ConnectorError {
            $(
                #[doc = concat!("A `", stringify!($ctor), "` error with this message, and the hint the reference's `", $kind, "` carries (if any).")]
                pub fn $ctor(message: impl Into<String>) -> Self {
                    let error = ConnectorError::new(ErrorCode::$variant, message);
                    match ErrorCode::$variant.classification().hint {
                        Some(hint) => error.with_hint(hint),
                        None => error,
                    }
                }
            )*
        }
    };
}

classification! {
    /// The request is malformed.
    BadRequest, bad_request, "ClientError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// A value in the request is not valid.
    InvalidValue, invalid_value, "InvalidValueError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// A value in the request is not known to the app.
    UnknownValue, unknown_value, "UnknownValueError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// The object asked for does not exist.
    NotFound, not_found, "NotFoundError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// The page token is damaged or was not made by this connector.
    InvalidPageToken, invalid_page_token, "InvalidPageTokenError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// A parameter the integration needs is missing.
    IntegrationMissingParameter, integration_missing_parameter,
        "MissingParameterError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// The connector does not support this operation.
    UnsupportedOperation, unsupported_operation, "UnsupportedOperationError",
        Connector, Internal, retryable: false, throttled: false, refreshable: false, hint: None;
    /// The change conflicts with the app's current state.
    Conflict, conflict, "ConflictError", Caller, Client,
        retryable: false, throttled: false, refreshable: false, hint: None;
    /// The app rejected the credentials.
    Unauthorized, unauthorized, "AuthenticationError", Upstream, Authentication,
        retryable: false, throttled: false, refreshable: true,
        hint: Some("Please contact support if the problem persists.");
    /// The credentials have expired.
    AuthenticationExpired, authentication_expired, "AuthenticationExpiredError",
        Upstream, Authentication, retryable: false, throttled: false, refreshable: true, hint: None;
    /// The credentials were revoked.
    CredsRevoked, creds_revoked, "CredentialsRevokedError", Upstream, Authentication,
        retryable: false, throttled: false, refreshable: true,
        hint: Some("Visit the end system and verify that the credentials have not been revoked.");
    /// The credentials lack a permission.
    PermissionDenied, permission_denied, "AuthorizationError", Upstream, Authorization,
        retryable: false, throttled: false, refreshable: false,
        hint: Some("Visit the end system and verify that the account has the required scope.");
    /// The app throttled the connector.
    RateLimit, rate_limit, "RateLimitError", Upstream, Transient,
        retryable: true, throttled: true, refreshable: false, hint: Some("Please retry the request.");
    /// The app answered with a server error.
    BadGateway, bad_gateway, "UpstreamError", Upstream, Transient,
        retryable: true, throttled: false, refreshable: false, hint: Some("Please retry the request.");
    /// The app is unavailable.
    ServiceError, service_error, "TransientError", Upstream, Transient,
        retryable: true, throttled: false, refreshable: false, hint: Some("Please retry the request.");
    /// The time or request budget of this call ran out.
    BudgetExhausted, budget_exhausted, "BudgetExhaustedError", Upstream, Transient,
        retryable: true, throttled: true, refreshable: false, hint: Some("Please retry the request.");
    /// The app could not be reached.
    ConnectionTimeout, connection_timeout, "NetworkError", Infrastructure, Transient,
        retryable: true, throttled: false, refreshable: false, hint: Some("Please retry the request.");
    /// The app did not answer in time.
    RequestTimeout, request_timeout, "RequestTimeoutError", Upstream, Transient,
        retryable: true, throttled: false, refreshable: false, hint: Some("Please retry the request.");
    /// The app refused the connection.
    ConnectionRejected, connection_rejected, "ConnectionRejectedError",
        Infrastructure, Transient, retryable: true, throttled: false, refreshable: false, hint: Some("Please retry the request.");
    /// The app closed the connection.
    ConnectionClosed, connection_closed, "ConnectionClosedError", Infrastructure,
        Transient, retryable: true, throttled: false, refreshable: false, hint: Some("Please retry the request.");
    /// The connector failed unexpectedly.
    InternalError, internal_error, "InternalError", Connector, Internal,
        retryable: true, throttled: false, refreshable: false, hint: None;
    /// The app answered with something the connector could not use.
    InvalidResponse, invalid_response, "InvalidResponseError", Connector, Internal,
        retryable: false, throttled: false, refreshable: false, hint: None;
}

/// Deprecated `ErrorCode` names and the canonical code each one means.
pub const DEPRECATED_CODE_REDIRECTS: &[(&str, ErrorCode)] = &[
    ("unexpected_error", ErrorCode::InternalError),
    ("not_implemented", ErrorCode::UnsupportedOperation),
    ("client_call_error", ErrorCode::InvalidResponse),
    ("api_error", ErrorCode::InvalidResponse),
    ("unauthenticated", ErrorCode::Unauthorized),
];

impl ErrorCode {
    /// Reads a canonical or deprecated code name.
    ///
    /// ```
    /// use connector_sdk::ErrorCode;
    /// assert_eq!(ErrorCode::parse("api_error"), Some(ErrorCode::InvalidResponse));
    /// assert_eq!(ErrorCode::parse("nope"), None);
    /// ```
    pub fn parse(name: &str) -> Option<ErrorCode> {
        ErrorCode::ALL
            .iter()
            .copied()
            .find(|code| code.as_str() == name)
            .or_else(|| {
                DEPRECATED_CODE_REDIRECTS
                    .iter()
                    .find(|(old, _)| *old == name)
                    .map(|(_, code)| *code)
            })
    }

    /// Who is at fault.
    pub fn fault(self) -> ErrorFault {
        self.classification().fault
    }

    /// Which family the error belongs to.
    pub fn category(self) -> ErrorCategory {
        self.classification().category
    }

    /// Whether the caller may retry the same request.
    pub fn retryable(self) -> bool {
        self.classification().retryable
    }

    /// Whether the error says the upstream throttled the caller.
    pub fn throttled(self) -> bool {
        self.classification().throttled
    }

    /// Whether refreshing the credentials may help.
    pub fn refreshable(self) -> bool {
        self.classification().refreshable
    }

    /// The name of the error kind, written into `raised_by` (the reference's class names).
    pub fn kind_name(self) -> &'static str {
        self.classification().kind
    }
}

/// The error a capability returns. Each code has a constructor (`ConnectorError::not_found`, …).
///
/// ```
/// use connector_sdk::{ConnectorError, ErrorCode};
///
/// let err = ConnectorError::not_found("Account user-9 not found")
///     .with_app_error_code("pretend_app.account_not_found")
///     .with_hint("List the accounts to see which exist.");
/// assert_eq!(err.code(), ErrorCode::NotFound);
/// assert_eq!(err.to_string(), "not_found: Account user-9 not found");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ConnectorError {
    // Boxed so that `Result<T, ConnectorError>` stays small on every capability's path.
    inner: Box<Inner>,
}

#[derive(Clone, Debug, PartialEq)]
struct Inner {
    code: ErrorCode,
    message: String,
    app_error_code: Option<String>,
    hint: Option<String>,
    status_code: Option<u16>,
    retry_after_seconds: Option<u64>,
    retryable: Option<bool>,
    throttled: Option<bool>,
    refreshable: Option<bool>,
    raised_by: Option<String>,
}

impl ConnectorError {
    /// An error with a code and a message, and no hint (the per-code constructors such as
    /// [`ConnectorError::unauthorized`] add the reference's default hint of that code).
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ConnectorError {
            inner: Box::new(Inner {
                code,
                message: message.into(),
                app_error_code: None,
                hint: None,
                status_code: None,
                retry_after_seconds: None,
                retryable: None,
                throttled: None,
                refreshable: None,
                raised_by: None,
            }),
        }
    }

    /// Sets the connector-specific error code, such as `"my_app.user_locked"`.
    pub fn with_app_error_code(mut self, app_error_code: impl Into<String>) -> Self {
        self.inner.app_error_code = Some(app_error_code.into());
        self
    }

    /// Sets a hint telling a person what to do about the error.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.inner.hint = Some(hint.into());
        self
    }

    /// Removes the hint.
    pub fn without_hint(mut self) -> Self {
        self.inner.hint = None;
        self
    }

    /// Records the upstream HTTP status that caused the error.
    pub fn with_status_code(mut self, status_code: u16) -> Self {
        self.inner.status_code = Some(status_code);
        self
    }

    /// Says after how many seconds a retry may succeed.
    pub fn with_retry_after_seconds(mut self, seconds: u64) -> Self {
        self.inner.retry_after_seconds = Some(seconds);
        self
    }

    /// Overrides whether the caller may retry (the code's default otherwise).
    pub fn with_retryable(mut self, retryable: bool) -> Self {
        self.inner.retryable = Some(retryable);
        self
    }

    /// Overrides whether the error counts as throttling.
    pub fn with_throttled(mut self, throttled: bool) -> Self {
        self.inner.throttled = Some(throttled);
        self
    }

    /// Overrides whether refreshing credentials may help.
    pub fn with_refreshable(mut self, refreshable: bool) -> Self {
        self.inner.refreshable = Some(refreshable);
        self
    }

    /// Names the kind of error for `raised_by` (the code's kind name otherwise).
    pub fn with_raised_by(mut self, raised_by: impl Into<String>) -> Self {
        self.inner.raised_by = Some(raised_by.into());
        self
    }

    /// The error code.
    pub fn code(&self) -> ErrorCode {
        self.inner.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The connector-specific error code, if any.
    pub fn app_error_code(&self) -> Option<&str> {
        self.inner.app_error_code.as_deref()
    }

    /// The hint, if any.
    pub fn hint(&self) -> Option<&str> {
        self.inner.hint.as_deref()
    }

    /// The upstream HTTP status, if any.
    pub fn status_code(&self) -> Option<u16> {
        self.inner.status_code
    }

    /// Seconds after which a retry may succeed, if known.
    pub fn retry_after_seconds(&self) -> Option<u64> {
        self.inner.retry_after_seconds
    }

    /// How a caller should treat this error: the code's classification with this error's
    /// overrides.
    pub fn metadata(&self) -> ErrorMetadata {
        let code = self.inner.code;
        ErrorMetadata {
            fault: code.fault(),
            category: code.category(),
            hint: self.inner.hint.clone(),
            retryable: self.inner.retryable.unwrap_or(code.retryable()),
            throttled: self.inner.throttled.unwrap_or(code.throttled()),
            refreshable: self.inner.refreshable.unwrap_or(code.refreshable()),
            retry_after_seconds: self.inner.retry_after_seconds,
        }
    }

    /// The wire form of this error, as raised by `raised_in` of connector `app_id`.
    pub fn to_wire(&self, app_id: &str, raised_in: Option<&str>) -> ErrorBody {
        ErrorBody {
            message: self.inner.message.clone(),
            status_code: self.inner.status_code,
            app_error_code: self.inner.app_error_code.clone(),
            error_code: ConnectorErrorCodeUnion::Connector(self.inner.code),
            app_id: app_id.to_owned(),
            raised_by: raised_in.map(|_| {
                self.inner
                    .raised_by
                    .clone()
                    .unwrap_or_else(|| self.inner.code.kind_name().to_owned())
            }),
            raised_in: raised_in.map(str::to_owned),
            error_metadata: Some(self.metadata()),
        }
    }
}

impl fmt::Display for ConnectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.inner.code, self.inner.message)
    }
}

impl std::error::Error for ConnectorError {}

impl From<serde_json::Error> for ConnectorError {
    /// A JSON error inside a capability means the app answered with something unexpected.
    fn from(err: serde_json::Error) -> Self {
        ConnectorError::invalid_response(format!("Failed to parse JSON response: {err}"))
    }
}

/// The error envelope: `{"is_error": true, "error": {...}, "raw_data": null, "page": null}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorEnvelope {
    /// Always `true`.
    pub is_error: bool,
    /// The error.
    pub error: ErrorBody,
    /// Always `null`.
    pub raw_data: Option<serde_json::Value>,
    /// Always `null`.
    pub page: Option<crate::page::Page>,
}

impl ErrorEnvelope {
    /// Wraps an error body.
    pub fn new(error: ErrorBody) -> Self {
        ErrorEnvelope {
            is_error: true,
            error,
            raw_data: None,
            page: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_two_codes_round_trip() {
        assert_eq!(ErrorCode::ALL.len(), 22);
        for code in ErrorCode::ALL {
            let wire = serde_json::to_string(code).unwrap();
            assert_eq!(wire, format!("\"{}\"", code.as_str()));
            assert_eq!(ErrorCode::parse(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn deprecated_codes_are_redirected() {
        assert_eq!(
            ErrorCode::parse("unexpected_error"),
            Some(ErrorCode::InternalError)
        );
        assert_eq!(
            ErrorCode::parse("not_implemented"),
            Some(ErrorCode::UnsupportedOperation)
        );
        assert_eq!(
            ErrorCode::parse("client_call_error"),
            Some(ErrorCode::InvalidResponse)
        );
        assert_eq!(
            ErrorCode::parse("unauthenticated"),
            Some(ErrorCode::Unauthorized)
        );
    }

    #[test]
    fn classification_matches_the_protocol() {
        use ErrorCode::*;
        assert!(InternalError.retryable());
        assert!(!InvalidResponse.retryable());
        assert!(RateLimit.throttled() && BudgetExhausted.throttled());
        assert!(
            Unauthorized.refreshable()
                && AuthenticationExpired.refreshable()
                && CredsRevoked.refreshable()
        );
        assert_eq!(ConnectionTimeout.fault(), ErrorFault::Infrastructure);
        assert_eq!(RequestTimeout.fault(), ErrorFault::Upstream);
        assert_eq!(PermissionDenied.category(), ErrorCategory::Authorization);
        assert_eq!(UnsupportedOperation.fault(), ErrorFault::Connector);
    }

    #[test]
    fn wire_form_has_the_reference_key_order() {
        let err = ConnectorError::not_found("gone").with_app_error_code("x.y");
        let json = serde_json::to_string(&ErrorEnvelope::new(err.to_wire("app", Some("app::cap"))))
            .unwrap();
        assert_eq!(
            json,
            r#"{"is_error":true,"error":{"message":"gone","status_code":null,"app_error_code":"x.y","error_code":"not_found","app_id":"app","raised_by":"NotFoundError","raised_in":"app::cap","error_metadata":{"fault":"caller","category":"client","hint":null,"retryable":false,"throttled":false,"refreshable":false,"retry_after_seconds":null}},"raw_data":null,"page":null}"#
        );
    }

    #[test]
    fn status_code_and_retry_after_are_written_as_numbers() {
        let err = ConnectorError::rate_limit("slow down")
            .with_status_code(429)
            .with_retry_after_seconds(7);
        let json = serde_json::to_value(err.to_wire("app", None)).unwrap();
        assert_eq!(json["status_code"], 429);
        assert_eq!(json["error_metadata"]["retry_after_seconds"], 7);
        assert_eq!(json["raised_by"], serde_json::Value::Null);
    }
}
