//! `infra-ci demo`, the README's first command: it plays the seed's `/plan` and
//! `/bootstrap apply` through the real routing job and apply gate, and the approved apply
//! must pass the gate (a demo that ends refused would be a broken first impression).

#[test]
fn the_demo_ends_with_the_approved_bootstrap_applied() {
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin!("infra-ci"))
        .args(["demo", "--step-ms", "0", "--port", "0"])
        .env_remove("GITHUB_TOKEN")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "exit {:?}\n{stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    // Refused first (👎, with what to do), then applied once planned and approved.
    assert!(
        stdout.contains("refused: no approval of 3f2a9c1"),
        "{stdout}"
    );
    assert!(stdout.contains("`/bootstrap plan`"), "{stdout}");
    for row in [
        "| Apply | ✅ success |",
        "| Apply: bootstrap | ✅ success |",
        "| AI Review | ✅ success | approved by &#64;bob at 3f2a9c1 |",
    ] {
        assert!(stdout.contains(row), "no {row:?} in\n{stdout}");
    }
}
