//! Property tests: no input, however mangled, makes a summarizer panic.

use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = infra_ci_plan::detect_and_summarize(&bytes[..]);
        let _ = infra_ci_plan::summarize_json(&bytes[..]);
        let _ = infra_ci_plan::summarize_ui_json(&bytes[..]);
    }

    #[test]
    fn json_shaped_garbage_never_panics(tail in "[\\[\\]{}\",:a-z0-9 \\-]{0,400}") {
        for head in [r#"{"resource_changes":["#, r#"{"output_changes":{"#, r#"{"@level":"#] {
            let input = format!("{head}{tail}");
            if let Ok(summary) = infra_ci_plan::detect_and_summarize(input.as_bytes()) {
                let _ = summary.to_markdown();
                let _ = summary.one_line();
            }
        }
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,600}") {
        let summary = infra_ci_plan::summarize_text(&text);
        let _ = summary.to_markdown();
        let _ = summary.one_line();
    }
}
