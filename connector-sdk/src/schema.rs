//! JSON schemas in the reference's (pydantic's) conventions.
