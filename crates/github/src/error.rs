//! Typed forge errors, and the mapping from GitHub's error answers onto them.
//! Each message says what to do about it.

use serde::Deserialize;
use thiserror::Error;

/// What can go wrong talking to GitHub. `Display` is written for the person reading the log.
#[derive(Debug, Error)]
pub enum ForgeError {
    /// 401: the token is missing, expired or wrong.
    #[error(
        "GitHub rejected the token (401 Bad credentials): set GITHUB_TOKEN (or --token) to a valid token{hint}"
    )]
    Unauthorized {
        /// Extra advice for the message (what to check under GitHub App auth); may be empty.
        hint: String,
    },
    /// 403 that is not a rate limit: the token lacks a permission.
    #[error("GitHub refused {what} (403 {message}): {hint}")]
    Forbidden {
        /// The request refused, e.g. "status on abc".
        what: String,
        /// GitHub's own message ("Resource not accessible by integration"), sanitized.
        message: String,
        /// The permission the token needs and the workflow YAML that grants it.
        hint: String,
    },
    /// 404: missing, or invisible to this token (GitHub answers 404 for private resources).
    #[error(
        "GitHub has no {what} (404): check the repository, number and SHA, and that the token can see the repository"
    )]
    NotFound {
        /// The thing asked for, e.g. "comment 12 on o/r".
        what: String,
    },
    /// 422 that means "it is already there" (a ref that exists).
    #[error("{what} already exists")]
    AlreadyExists {
        /// The thing that could not be created, e.g. a ref.
        what: String,
    },
    /// 422 validation failure (e.g. a body over 65,536 characters).
    #[error("GitHub rejected {what} as invalid (422 {message})")]
    Invalid {
        /// The request GitHub rejected.
        what: String,
        /// GitHub's message and its `errors[]` details, sanitized.
        message: String,
    },
    /// Rate limited and the reset is too far away to wait for (or every retry met a limit).
    #[error("{}", rate_limit_message(reset_at, *secondary))]
    RateLimited {
        /// When the limit resets (an RFC 3339 timestamp, or epoch seconds if it is out of range).
        reset_at: String,
        /// A secondary limit (too many requests or writes at once), not the hourly budget.
        secondary: bool,
    },
    /// Retries exhausted on 5xx / network errors, or the command's deadline passed.
    #[error("GitHub did not answer {what} after {attempts} attempts: {last}")]
    Unavailable {
        /// The request, as `METHOD /path`.
        what: String,
        /// How many attempts were made.
        attempts: u32,
        /// What went wrong on the last attempt (a status or a transport error), one line.
        last: String,
    },
    /// Anything else GitHub answered that we did not expect.
    #[error("GitHub answered {status} to {what}: {message}")]
    Unexpected {
        /// The thing asked for, e.g. "comment 12 on o/r".
        what: String,
        /// The HTTP status GitHub answered.
        status: u16,
        /// GitHub's message, or a snippet of a non-JSON body, sanitized.
        message: String,
    },
    /// A 2xx answer whose body is not the JSON we expect (a proxy page, a truncated body).
    #[error(
        "GitHub's answer to {what} is not the expected JSON ({message}): check GITHUB_API_URL points at the REST API"
    )]
    Decode {
        /// The request or payload that did not decode.
        what: String,
        /// Why it did not decode (the parser's error).
        message: String,
    },
    /// The GraphQL endpoint answered with `errors`.
    #[error("GitHub GraphQL refused {what}: {message}{hint}")]
    GraphQl {
        /// The GraphQL operation refused, e.g. minimizing a comment.
        what: String,
        /// Every `errors[].message`, joined with `; `.
        message: String,
        /// The permission to grant when GitHub said `FORBIDDEN`; empty otherwise.
        hint: String,
    },
    /// Bad configuration detected before any request (bad base URL, missing token).
    #[error("{0}")]
    Config(String),
}

impl ForgeError {
    /// True for 404.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }
    /// True for a 403 that is not a rate limit (used for the `GET /user` fallback).
    pub fn is_forbidden(&self) -> bool {
        matches!(self, Self::Forbidden { .. })
    }
}

/// The workflow permission an endpoint needs, named in 403 hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// `GET /user` and App endpoints: no workflow permission applies.
    None,
    /// Issue comments and their reactions: `issues: write` or `pull-requests: write`.
    Comments,
    /// Commit statuses: `statuses: write`.
    Statuses,
    /// Git refs: `contents: write`.
    Contents,
    /// Reading files (the trusted configuration): `contents: read`.
    ContentsRead,
    /// Issues: `issues: write`.
    Issues,
    /// Pull requests and reviews: `pull-requests: read`.
    Pulls,
    /// Organization team membership: the `members: read` *organization* permission of a
    /// GitHub App (or `read:org` for a classic token). `GITHUB_TOKEN` never has it.
    Members,
}

impl Permission {
    /// The `permissions:` lines to add, or `None`.
    fn yaml_lines(self) -> Option<&'static [&'static str]> {
        Some(match self {
            // No workflow `permissions:` line grants these (`hint` explains `Members`).
            Self::None | Self::Members => return None,
            Self::Comments => &["pull-requests: write", "issues: write"],
            Self::Statuses => &["statuses: write"],
            Self::Contents => &["contents: write"],
            Self::ContentsRead => &["contents: read"],
            Self::Issues => &["issues: write"],
            Self::Pulls => &["pull-requests: read"],
        })
    }

    /// A sentence naming the permission and the YAML that grants it.
    pub fn hint(self) -> String {
        if self == Self::Members {
            return MEMBERS_HINT.to_owned();
        }
        let Some(lines) = self.yaml_lines() else {
            return "check the token's scopes (a fine-grained or installation token may not allow this endpoint)".to_owned();
        };
        let names = lines
            .iter()
            .map(|l| format!("`{l}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        let yaml: String = lines
            .iter()
            .fold(String::new(), |acc, l| acc + "\n    " + l);
        format!(
            "the token needs the {names} permission; add to the workflow (or the job):\n  permissions:{yaml}"
        )
    }
}

/// Why a team lookup was refused, and the two ways out.
const MEMBERS_HINT: &str = "reading organization team membership needs the `members: read` organization permission \
(a GitHub App token: grant it in the App's settings, then accept it on the installation; a classic token: the `read:org` scope). \
GITHUB_TOKEN cannot read organization teams whatever the workflow's `permissions:` say: \
use a GitHub App token, or list people in `users` instead of `teams`";

/// GitHub's error body: `{"message": "...", "errors": [...], "documentation_url": "..."}`.
#[derive(Debug, Default, Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorDetail>,
}

/// One `errors[]` entry: an object (`resource`, `field`, `code`, `message`) or a bare string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ErrorDetail {
    Text(String),
    Object {
        #[serde(default)]
        resource: Option<String>,
        #[serde(default)]
        field: Option<String>,
        #[serde(default)]
        code: Option<String>,
        #[serde(default)]
        message: Option<String>,
    },
}

impl ErrorDetail {
    fn describe(&self) -> String {
        match self {
            Self::Text(s) => s.clone(),
            Self::Object {
                message: Some(m), ..
            } => m.clone(),
            Self::Object {
                resource,
                field,
                code,
                ..
            } => {
                let path = [resource.as_deref(), field.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(".");
                format!("{path} {}", code.as_deref().unwrap_or("invalid"))
                    .trim()
                    .to_owned()
            }
        }
    }
}

/// GitHub's top-level `message` from an error body (empty when the body is not JSON).
pub fn error_message(body: &[u8]) -> String {
    serde_json::from_slice::<ErrorBody>(body)
        .map(|b| b.message)
        .unwrap_or_default()
}

/// `message: errors[0].message; errors[1].message`, falling back to a snippet of a non-JSON body.
fn full_message(body: &[u8]) -> String {
    sanitize(&raw_message(body))
}

/// Server text is not ours: a proxy or a misbehaving server may echo the request (its
/// `Authorization` header included) or send terminal escapes. One line, printable
/// characters only, at most 300 of them, anything shaped like a credential redacted.
pub fn sanitize(text: &str) -> String {
    let printable: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let words: Vec<String> = printable
        .split_whitespace()
        .scan(false, |after_scheme, w| {
            let lower = w.to_ascii_lowercase();
            let secret = *after_scheme || looks_like_credential(w);
            *after_scheme = matches!(lower.as_str(), "bearer" | "token" | "basic")
                || lower.ends_with("authorization:");
            Some(if secret {
                "[redacted]".to_owned()
            } else {
                w.to_owned()
            })
        })
        .collect();
    words.join(" ").chars().take(300).collect()
}

/// GitHub's token prefixes, a JWT, or a PEM block.
fn looks_like_credential(word: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "ghp_",
        "gho_",
        "ghu_",
        "ghs_",
        "ghr_",
        "github_pat_",
        "v1.",
        "eyJ",
    ];
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '.');
    PREFIXES
        .iter()
        .any(|p| w.starts_with(p) && w.len() > p.len() + 8)
        || word.contains("PRIVATE KEY")
}

fn raw_message(body: &[u8]) -> String {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => {
            let details: Vec<String> = b
                .errors
                .iter()
                .map(ErrorDetail::describe)
                .filter(|d| !d.is_empty())
                .collect();
            match (b.message.is_empty(), details.is_empty()) {
                (_, true) => b.message,
                (true, false) => details.join("; "),
                (false, false) => format!("{}: {}", b.message, details.join("; ")),
            }
        }
        Err(_) => snippet(body),
    }
}

/// The first 200 characters of a body, on one line.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    one_line.chars().take(200).collect()
}

/// Maps a non-2xx answer (that the retry policy did not absorb) to its error.
/// `what` names the thing asked for ("comment 12 on o/r"); `app_auth` tunes the 401 hint.
pub fn from_status(
    what: &str,
    permission: Permission,
    status: u16,
    body: &[u8],
    app_auth: bool,
) -> ForgeError {
    let what = what.to_owned();
    let message = full_message(body);
    match status {
        401 => ForgeError::Unauthorized {
            hint: if app_auth {
                " (with GitHub App auth: check GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY and that the app is installed on the repository)".to_owned()
            } else {
                String::new()
            },
        },
        403 => {
            // "Resource not accessible by integration" is the usual text, but any non-rate-limit
            // 403 on these endpoints is a permission problem: always name the permission.
            let message = if message.is_empty() {
                "Forbidden".to_owned()
            } else {
                message
            };
            ForgeError::Forbidden {
                what,
                message,
                hint: permission.hint(),
            }
        }
        404 => ForgeError::NotFound { what },
        422 if message.to_ascii_lowercase().contains("already exists") => {
            ForgeError::AlreadyExists { what }
        }
        // GitHub answers 422 "Reference does not exist" when deleting a missing ref.
        422 if message.to_ascii_lowercase().contains("does not exist") => {
            ForgeError::NotFound { what }
        }
        422 => ForgeError::Invalid { what, message },
        _ => ForgeError::Unexpected {
            what,
            status,
            message,
        },
    }
}

/// Appends GitHub's `x-accepted-github-permissions` header (sent with permission 403s, e.g.
/// `issues=write; pull_requests=write`: any one `;`-separated set suffices) to a 403's hint.
pub fn with_accepted_permissions(err: ForgeError, accepted: Option<&str>) -> ForgeError {
    match (err, accepted.map(str::trim).filter(|a| !a.is_empty())) {
        (
            ForgeError::Forbidden {
                what,
                message,
                hint,
            },
            Some(accepted),
        ) => {
            let sets: Vec<String> = accepted
                .split(';')
                .map(|s| format!("`{}`", s.trim()))
                .collect();
            let hint = format!(
                "{hint}\n(GitHub says this endpoint accepts: {})",
                sets.join(" or ")
            );
            ForgeError::Forbidden {
                what,
                message,
                hint,
            }
        }
        (err, _) => err,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unauthorized_says_set_a_token() {
        let e = from_status(
            "GET /user",
            Permission::None,
            401,
            br#"{"message":"Bad credentials"}"#,
            false,
        );
        assert!(matches!(e, ForgeError::Unauthorized { .. }));
        assert!(e.to_string().contains("set GITHUB_TOKEN"), "{e}");
        let e = from_status("GET /user", Permission::None, 401, b"", true);
        assert!(e.to_string().contains("GITHUB_APP_PRIVATE_KEY"), "{e}");
    }

    #[test]
    fn integration_403_names_the_permission_and_yaml() {
        let body = br#"{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}"#;
        let e = from_status("status on abc", Permission::Statuses, 403, body, false);
        let text = e.to_string();
        assert!(
            text.contains("Resource not accessible by integration"),
            "{text}"
        );
        assert!(text.contains("`statuses: write`"), "{text}");
        assert!(text.contains("permissions:\n    statuses: write"), "{text}");
    }

    #[test]
    fn comment_403_offers_both_permissions() {
        let e = from_status(
            "comment",
            Permission::Comments,
            403,
            br#"{"message":"Resource not accessible by integration"}"#,
            false,
        );
        let text = e.to_string();
        assert!(
            text.contains("`pull-requests: write` or `issues: write`"),
            "{text}"
        );
        assert!(
            text.contains("    pull-requests: write\n    issues: write"),
            "{text}"
        );
    }

    #[test]
    fn each_area_has_its_permission() {
        for (perm, needle) in [
            (Permission::Contents, "contents: write"),
            (Permission::Issues, "issues: write"),
            (Permission::Pulls, "pull-requests: read"),
        ] {
            assert!(perm.hint().contains(needle), "{perm:?}");
        }
        assert!(!Permission::None.hint().contains("permissions:"));
    }

    #[test]
    fn not_found_names_the_thing() {
        let e = from_status(
            "pull request #7 in o/r",
            Permission::Pulls,
            404,
            br#"{"message":"Not Found"}"#,
            false,
        );
        assert!(e.is_not_found());
        assert!(e.to_string().contains("pull request #7 in o/r"));
    }

    #[test]
    fn validation_failed_includes_every_error_message() {
        let body = br#"{"message":"Validation Failed","errors":[{"resource":"IssueComment","code":"custom","field":"body","message":"body is too long (maximum is 65536 characters)"}],"documentation_url":"x"}"#;
        let e = from_status("comment", Permission::Comments, 422, body, false);
        assert!(matches!(e, ForgeError::Invalid { .. }));
        assert_eq!(
            e.to_string(),
            "GitHub rejected comment as invalid (422 Validation Failed: body is too long (maximum is 65536 characters))"
        );
    }

    #[test]
    fn validation_errors_without_message_or_as_strings() {
        let body = br#"{"message":"Validation Failed","errors":[{"resource":"Issue","field":"title","code":"missing_field"},"labels are bad"]}"#;
        let e = from_status("issue", Permission::Issues, 422, body, false);
        assert!(
            e.to_string()
                .contains("Validation Failed: Issue.title missing_field; labels are bad"),
            "{e}"
        );
    }

    #[test]
    fn reference_already_exists_is_its_own_error() {
        let e = from_status(
            "ref refs/heads/x",
            Permission::Contents,
            422,
            br#"{"message":"Reference already exists"}"#,
            false,
        );
        assert!(matches!(e, ForgeError::AlreadyExists { .. }), "{e:?}");
    }

    #[test]
    fn accepted_permissions_header_is_quoted_in_the_hint() {
        let e = from_status(
            "x",
            Permission::Comments,
            403,
            br#"{"message":"Resource not accessible by integration"}"#,
            false,
        );
        let e = with_accepted_permissions(e, Some("issues=write; pull_requests=write"));
        assert!(
            e.to_string()
                .contains("accepts: `issues=write` or `pull_requests=write`"),
            "{e}"
        );
        let e = with_accepted_permissions(
            ForgeError::NotFound {
                what: "x".to_owned(),
            },
            Some("issues=read"),
        );
        assert!(!e.to_string().contains("accepts"), "{e}");
    }

    #[test]
    fn missing_ref_on_delete_is_not_found() {
        let e = from_status(
            "ref refs/heads/x",
            Permission::Contents,
            422,
            br#"{"message":"Reference does not exist"}"#,
            false,
        );
        assert!(e.is_not_found(), "{e:?}");
    }

    #[test]
    fn other_statuses_keep_a_snippet_of_non_json_bodies() {
        let e = from_status(
            "x",
            Permission::None,
            418,
            b"<html>\n  I'm a   teapot</html>",
            false,
        );
        assert_eq!(
            e.to_string(),
            "GitHub answered 418 to x: <html> I'm a teapot</html>"
        );
    }

    #[test]
    fn error_message_reads_only_message() {
        assert_eq!(
            error_message(br#"{"message":"You have exceeded a secondary rate limit"}"#),
            "You have exceeded a secondary rate limit"
        );
        assert_eq!(error_message(b"not json"), "");
    }

    #[test]
    fn team_403_says_github_token_cannot_read_teams() {
        let body = br#"{"message":"Resource not accessible by integration"}"#;
        let e = from_status("team membership", Permission::Members, 403, body, false);
        let text = e.to_string();
        assert!(text.contains("`members: read`"), "{text}");
        assert!(
            text.contains("GITHUB_TOKEN cannot read organization teams"),
            "{text}"
        );
        assert!(
            !text.contains("permissions:\n"),
            "no workflow YAML grants it: {text}"
        );
    }
}

#[cfg(test)]
mod server_text {
    use super::*;

    #[test]
    fn echoed_credentials_and_escapes_never_reach_a_message() {
        let body = b"<html>bad gateway\x1b[31m Authorization: Bearer ghs_abcdefghijklmnopqrstuvwxyz0123 token gho_zzzzzzzzzzzzzzzz x-key: github_pat_11ABCDEFG0123456789</html>";
        let m = full_message(body);
        assert!(
            !m.contains("ghs_") && !m.contains("gho_") && !m.contains("github_pat_"),
            "{m}"
        );
        assert!(!m.contains('\x1b'), "{m}");
        assert!(m.contains("[redacted]"), "{m}");
        let long = "x".repeat(5000);
        assert_eq!(full_message(long.as_bytes()).chars().count(), 200);
        let json = format!(r#"{{"message":"{long}"}}"#);
        assert_eq!(full_message(json.as_bytes()).chars().count(), 300);
    }
}

/// What a rate limit means and what to do, primary (the hourly budget) or secondary (a
/// burst: GitHub allows about 80 writes a minute and 100 requests at once per identity).
fn rate_limit_message(reset_at: &str, secondary: bool) -> String {
    if secondary {
        format!(
            "GitHub's secondary rate limit refused every retry (too many requests or writes at once), until about {reset_at}: lower the number of parallel jobs or their request rate, then run again"
        )
    } else {
        format!(
            "GitHub rate limit exhausted until {reset_at}: wait, use a GitHub App token (higher limits), or lower the request rate"
        )
    }
}
