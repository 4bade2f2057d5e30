//! The hidden marker that identifies a commit's dashboard comment.

/// Everything before the short SHA in the marker. Kept from the seed so that dashboards
/// created by `python -m ci` are found.
pub const MARKER_PREFIX: &str = "<!-- infra-dashboard:";

/// The short SHA ([`infra_ci_wire::short_sha`]), lowercased, as the seed's marker uses.
pub fn sha7(sha: &str) -> String {
    infra_ci_wire::short_sha(sha).to_ascii_lowercase()
}

/// `<!-- infra-dashboard:abc1234 -->`.
pub fn marker(sha: &str) -> String {
    format!("{MARKER_PREFIX}{} -->", sha7(sha))
}

/// The short SHA in a body's marker, if the body's FIRST line is a marker. Only the first
/// line counts: a marker quoted or pasted further down a comment is not ours.
pub fn marker_sha7(body: &str) -> Option<&str> {
    let first = body.lines().next()?.trim();
    let rest = first
        .strip_prefix(MARKER_PREFIX)?
        .strip_suffix("-->")?
        .trim();
    (rest.len() == 7 && rest.chars().all(|c| c.is_ascii_hexdigit())).then_some(rest)
}

/// True when `body` is the dashboard of `sha`.
pub fn is_dashboard_of(body: &str, sha: &str) -> bool {
    marker_sha7(body).is_some_and(|m| m.eq_ignore_ascii_case(&sha7(sha)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_matches_seed_format() {
        assert_eq!(marker("ABC1234def"), "<!-- infra-dashboard:abc1234 -->");
        assert!(is_dashboard_of(
            "<!-- infra-dashboard:abc1234 -->\n## x",
            "abc1234ffff"
        ));
    }

    #[test]
    fn marker_must_be_on_the_first_line() {
        assert!(!is_dashboard_of(
            "hi\n<!-- infra-dashboard:abc1234 -->",
            "abc1234"
        ));
        assert!(!is_dashboard_of(
            "> <!-- infra-dashboard:abc1234 -->",
            "abc1234"
        ));
        assert_eq!(marker_sha7("<!-- infra-dashboard:zzzzzzz -->"), None);
    }
}
