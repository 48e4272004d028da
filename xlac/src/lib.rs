//! Driver (stub).
