//! Core simulator benchmarks (filled in below). Run: `cargo bench --bench core`.
fn main() {}
