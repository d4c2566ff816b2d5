//! Marker types, one per standard capability (generated from the spec by tools/gen_models.py).
