//! Terraform/OpenTofu runs: plan, apply with safety checks and locks, post-merge verify, drift.
