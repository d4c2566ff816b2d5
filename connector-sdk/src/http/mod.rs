//! HTTP client toolkit for connectors that talk to REST APIs.
