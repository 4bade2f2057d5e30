//! The compact text a stage's truth takes in a commit status description:
//! `<word>` or `<word>: <output>`, at most 140 characters (GitHub's limit).

use crate::escape::{one_line, truncate_chars};
use crate::status::Status;

/// GitHub's limit on a commit status description.
pub const DESCRIPTION_LIMIT: usize = 140;

/// Encodes a status and its one-line output.
pub fn encode(status: Status, output: Option<&str>) -> String {
    let word = status.word();
    match output.map(one_line).filter(|o| !o.is_empty()) {
        Some(o) => {
            let room = DESCRIPTION_LIMIT - word.len() - 2;
            format!("{word}: {}", truncate_chars(&o, room))
        }
        None => word.to_owned(),
    }
}

/// Decodes a description written by [`encode`]. `None` when it is not ours.
pub fn decode(description: &str) -> Option<(Status, Option<String>)> {
    let (word, rest) = match description.split_once(':') {
        Some((w, r)) => (w, Some(r.trim().to_owned()).filter(|r| !r.is_empty())),
        None => (description, None),
    };
    let status = word.trim().parse().ok()?;
    Some((status, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fits() {
        for s in Status::ALL {
            assert_eq!(decode(&encode(s, None)), Some((s, None)));
            let long = "é".repeat(500);
            let e = encode(s, Some(&long));
            assert!(e.chars().count() <= DESCRIPTION_LIMIT);
            assert_eq!(decode(&e).map(|d| d.0), Some(s));
        }
        assert_eq!(
            decode(&encode(Status::Success, Some("+2 ~1 -0: a"))),
            Some((Status::Success, Some("+2 ~1 -0: a".into())))
        );
    }

    #[test]
    fn foreign_descriptions_are_not_ours() {
        assert_eq!(decode("Build finished"), None);
    }
}
