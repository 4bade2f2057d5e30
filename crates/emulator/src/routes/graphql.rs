//! The one GraphQL mutation infra-ci uses: `minimizeComment` (and `unminimizeComment`) on
//! an issue comment's node id. Anything else answers GitHub's GraphQL error shape.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use serde_json::{Value, json};

use super::body_json;
use crate::Emulator;
use crate::auth::Caller;
use crate::error::ApiResult;
use crate::reply;

const CLASSIFIERS: &[&str] = &[
    "SPAM",
    "ABUSE",
    "OFF_TOPIC",
    "OUTDATED",
    "DUPLICATE",
    "RESOLVED",
];

/// `POST /graphql`.
pub async fn graphql(
    State(emu): State<Emulator>,
    Extension(_caller): Extension<Caller>,
    raw: Bytes,
) -> ApiResult {
    let v = body_json(&raw)?;
    let query = v.get("query").and_then(Value::as_str).unwrap_or_default();
    let vars = v.get("variables").cloned().unwrap_or(Value::Null);
    let (field, minimize) = if query.contains("unminimizeComment") {
        ("unminimizeComment", false)
    } else if query.contains("minimizeComment") {
        ("minimizeComment", true)
    } else {
        return Ok(reply::ok(&error(
            None,
            "parseError",
            "This emulator only supports the minimizeComment and unminimizeComment mutations",
        )));
    };
    let Some(subject) = argument(query, "subjectId", &vars) else {
        return Ok(reply::ok(&error(
            Some(field),
            "argumentLiteralsIncompatible",
            "Argument 'subjectId' on InputObject is required",
        )));
    };
    let classifier = argument(query, "classifier", &vars).unwrap_or_else(|| "OUTDATED".to_owned());
    if minimize && !CLASSIFIERS.contains(&classifier.as_str()) {
        return Ok(reply::ok(&error(
            Some(field),
            "argumentLiteralsIncompatible",
            &format!(
                "Argument 'classifier' on InputObject 'MinimizeCommentInput' has an invalid value ({classifier}). Expected type 'ReportedContentClassifiers!'."
            ),
        )));
    }
    let mut world = emu.world();
    let Some(comment) = world
        .comments
        .values_mut()
        .find(|c| c.node_id == subject && c.deleted.is_none())
    else {
        return Ok(reply::ok(&json!({
            "data": { field: null },
            "errors": [{ "type": "NOT_FOUND", "path": [field], "locations": [{ "line": 1, "column": 1 }],
                         "message": format!("Could not resolve to a node with the global id of '{subject}'") }],
        })));
    };
    let reason = classifier.to_lowercase();
    comment.minimized = minimize.then(|| reason.clone());
    let payload = if minimize {
        json!({ "minimizedComment": { "isMinimized": true, "minimizedReason": reason } })
    } else {
        json!({ "unminimizedComment": { "isMinimized": false, "minimizedReason": null } })
    };
    Ok(reply::ok(&json!({ "data": { field: payload } })))
}

/// A GraphQL error response body.
fn error(field: Option<&str>, code: &str, message: &str) -> Value {
    let mut e = json!({ "message": message, "extensions": { "code": code }, "locations": [{ "line": 1, "column": 1 }] });
    if let Some(f) = field {
        e["path"] = json!([f]);
    }
    json!({ "errors": [e] })
}

/// The value of `name:` in the query: a `"literal"`, an enum `LITERAL`, or a `$variable`
/// looked up in `vars` (also looked up as `vars.input.name`, for `input: $input` styles).
fn argument(query: &str, name: &str, vars: &Value) -> Option<String> {
    if let Some(v) = vars
        .get("input")
        .and_then(|i| i.get(name))
        .and_then(Value::as_str)
        && !query.contains(&format!("{name}:"))
    {
        return Some(v.to_owned());
    }
    let start = query.find(&format!("{name}:"))? + name.len() + 1;
    let rest = query[start..].trim_start();
    if let Some(var) = rest.strip_prefix('$') {
        let var: String = var
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        return vars.get(&var).and_then(Value::as_str).map(str::to_owned);
    }
    if let Some(lit) = rest.strip_prefix('"') {
        return lit.split('"').next().map(str::to_owned);
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty()).then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_from_literals_variables_and_input() {
        let q = r#"mutation { minimizeComment(input: {subjectId: "IC_x", classifier: OUTDATED}) { minimizedComment { isMinimized } } }"#;
        assert_eq!(
            argument(q, "subjectId", &Value::Null).as_deref(),
            Some("IC_x")
        );
        assert_eq!(
            argument(q, "classifier", &Value::Null).as_deref(),
            Some("OUTDATED")
        );
        let q = "mutation($id: ID!) { minimizeComment(input: {subjectId: $id, classifier: RESOLVED}) { clientMutationId } }";
        assert_eq!(
            argument(q, "subjectId", &json!({"id": "IC_y"})).as_deref(),
            Some("IC_y")
        );
        let q = "mutation($input: MinimizeCommentInput!) { minimizeComment(input: $input) { clientMutationId } }";
        let vars = json!({"input": {"subjectId": "IC_z", "classifier": "SPAM"}});
        assert_eq!(argument(q, "subjectId", &vars).as_deref(), Some("IC_z"));
        assert_eq!(argument(q, "classifier", &vars).as_deref(), Some("SPAM"));
    }
}
