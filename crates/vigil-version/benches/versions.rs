//! Parse and compare throughput per scheme (filled in with the ecosystems).

fn main() {}
