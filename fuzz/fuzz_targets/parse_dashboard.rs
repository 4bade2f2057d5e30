//! Fuzz target `parse_dashboard`: see `infra_ci_fuzz::core_checks::parse_dashboard` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| infra_ci_fuzz::core_checks::parse_dashboard(data));
