//! Frontends (stub).
