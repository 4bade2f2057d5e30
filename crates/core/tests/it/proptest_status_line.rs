//! Properties of the status line (a stage's truth in a commit status description).
#![allow(clippy::unwrap_used)]

use infra_ci_core::Status;
use infra_ci_core::escape::{one_line, truncate_chars};
use infra_ci_core::status_line::{DESCRIPTION_LIMIT, decode, encode};
use proptest::prelude::*;

fn status() -> impl Strategy<Value = Status> {
    prop::sample::select(Status::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Encoding fits GitHub's 140 characters and decodes to the same status and the output
    /// as one line (shortened with an ellipsis when it had to be).
    #[test]
    fn encode_fits_and_decodes_back(s in status(), output in prop::option::of(any::<String>())) {
        let e = encode(s, output.as_deref());
        prop_assert!(e.chars().count() <= DESCRIPTION_LIMIT, "{} chars", e.chars().count());
        let (status, back) = decode(&e).unwrap();
        prop_assert_eq!(status, s);
        let want = output
            .map(|o| one_line(&o))
            .filter(|o| !o.is_empty())
            .map(|o| truncate_chars(&o, DESCRIPTION_LIMIT - s.word().len() - 2))
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty());
        prop_assert_eq!(back, want);
    }

    /// Decoding is total: any description either is ours or is not, without panicking, and
    /// what decodes re-encodes to something that decodes the same.
    #[test]
    fn decode_is_total_and_stable(description in any::<String>()) {
        if let Some((s, out)) = decode(&description) {
            let again = decode(&encode(s, out.as_deref())).unwrap();
            prop_assert_eq!(again.0, s);
        }
    }
}
