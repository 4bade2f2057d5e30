//! The engine's integration tests, one binary: convergence under concurrent writers and
//! faults, minimizing earlier dashboards, the routing job's team lookups and its refusal of
//! an undiverged head, and the route fuzz corpus replayed on stable.

mod convergence;
mod fuzz_route_corpus_replay;
mod minimize;
mod parse_teams;
mod parse_undiverged;
mod support;
