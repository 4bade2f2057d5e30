//! The one GraphQL call infra-ci makes: hiding an outdated comment.

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;

use crate::client::GitHubClient;
use crate::error::{ForgeError, Permission};
use crate::http::Request;

const MINIMIZE: &str = "mutation($id:ID!){minimizeComment(input:{subjectId:$id,classifier:OUTDATED}){minimizedComment{isMinimized}}}";

/// A GraphQL answer: `data` and/or `errors`.
#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    errors: Vec<GraphQlError>,
}

#[derive(Debug, Deserialize)]
struct GraphQlError {
    #[serde(default)]
    message: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
}

/// `minimizeComment(classifier: OUTDATED)` on a comment's `node_id`. Idempotent, so retried.
pub(crate) async fn minimize_comment(
    client: &GitHubClient,
    node_id: &str,
) -> Result<(), ForgeError> {
    let what = format!("hiding comment {node_id} as outdated");
    let req = Request::new(
        Method::POST,
        client.cfg.graphql_url.clone(),
        what.clone(),
        Permission::Comments,
    )
    .json(json!({ "query": MINIMIZE, "variables": { "id": node_id } }));
    let answer: Answer = client.json(&req, None).await?;
    check(&what, &answer.errors)
}

/// Turns GraphQL `errors` into one typed error naming the permission when it is one.
fn check(what: &str, errors: &[GraphQlError]) -> Result<(), ForgeError> {
    if errors.is_empty() {
        return Ok(());
    }
    let message = errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let forbidden = errors
        .iter()
        .any(|e| e.kind.as_deref() == Some("FORBIDDEN"))
        || message.contains("Resource not accessible");
    let hint = if forbidden {
        format!(": {}", Permission::Comments.hint())
    } else {
        String::new()
    };
    Err(ForgeError::GraphQl {
        what: what.to_owned(),
        message,
        hint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(json: &str) -> Vec<GraphQlError> {
        serde_json::from_str::<Answer>(json).expect("answer").errors
    }

    #[test]
    fn no_errors_is_ok() {
        assert!(
            check(
                "x",
                &errors(
                    r#"{"data":{"minimizeComment":{"minimizedComment":{"isMinimized":true}}}}"#
                )
            )
            .is_ok()
        );
    }

    #[test]
    fn errors_are_joined_and_typed() {
        let e = check("x", &errors(r#"{"data":null,"errors":[{"type":"NOT_FOUND","message":"Could not resolve to a node with the global id of 'abc'"}]}"#))
            .expect_err("error");
        assert!(matches!(e, ForgeError::GraphQl { .. }));
        assert!(e.to_string().contains("Could not resolve to a node"), "{e}");
        assert!(!e.to_string().contains("permissions:"), "{e}");
    }

    #[test]
    fn forbidden_names_the_permission() {
        let e = check("x", &errors(r#"{"errors":[{"type":"FORBIDDEN","message":"Resource not accessible by integration"}]}"#))
            .expect_err("error");
        assert!(e.to_string().contains("pull-requests: write"), "{e}");
    }
}
