//! The protocol's wire models.
