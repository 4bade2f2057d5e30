//! Fuzz target `route_command`: see `infra_ci_fuzz::route_checks::route_command` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| infra_ci_fuzz::route_checks::route_command(data));
