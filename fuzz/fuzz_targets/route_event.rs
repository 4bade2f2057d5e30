//! Fuzz target `route_event`: see `infra_ci_fuzz::route_checks::route_event` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| infra_ci_fuzz::route_checks::route_event(data));
