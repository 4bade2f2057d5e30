//! Fuzz target `status_line`: see `infra_ci_fuzz::core_checks::status_line` for what it checks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| infra_ci_fuzz::core_checks::status_line(data));
