//! xlac CLI (stub).
fn main() {}
