//! Synthetic plans for what the fixtures lack: long lists, odd addresses, imports, reads,
//! drift in the UI stream, failing readers.

use std::io::{self, Read};

use infra_ci_plan::{PlanError, summarize_json, summarize_text};

fn plan_with(changes: &[String]) -> String {
    format!(
        r#"{{"format_version":"1.2","planned_values":{{}},"resource_changes":[{}],"output_changes":{{"a":{{"actions":["no-op"]}},"b":{{"actions":["update"]}}}}}}"#,
        changes.join(",")
    )
}

fn change(address: &str, actions: &str, extra: &str) -> String {
    format!(
        r#"{{"address":{},"mode":"managed","change":{{"actions":{actions},"before":{{"big":[1,2,{{"x":"y"}}]}},"after":null{extra}}}}}"#,
        serde_json::to_string(address).unwrap()
    )
}

#[test]
fn address_lists_are_bounded_but_counted() {
    let changes: Vec<String> = (0..120)
        .map(|i| change(&format!("a.b[{i}]"), r#"["delete"]"#, ""))
        .collect();
    let s = summarize_json(plan_with(&changes).as_bytes()).unwrap();
    assert_eq!(s.delete, 120);
    assert_eq!(s.deleted.items().len(), infra_ci_plan::ADDRESS_LIMIT);
    assert_eq!(s.deleted.total(), 120);
    assert!(s.deleted.truncated());
    assert!(s.to_markdown().contains("… and 70 more"));
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["deleted"].as_array().unwrap().len(), 50);
    assert_eq!(json["deleted_total"], 120);
    assert_eq!(json["output_changes"], 1);
}

#[test]
fn imports_reads_moves_and_data_sources() {
    let changes = vec![
        change("a.imported", r#"["no-op"]"#, r#","importing":{"id":"i-1"}"#),
        change(
            "a.imported_and_updated",
            r#"["update"]"#,
            r#","importing":{}"#,
        ),
        format!(
            r#"{{"address":"a.new","previous_address":"a.old","change":{{"actions":["update"]}}}}"#
        ),
        format!(r#"{{"address":"data.x.y","mode":"data","change":{{"actions":["read"]}}}}"#),
        // Older Terraform listed removed data sources as deletes; Terraform's tally ignores them.
        format!(r#"{{"address":"data.x.z","mode":"data","change":{{"actions":["delete"]}}}}"#),
        change("a.c", r#"["create","delete"]"#, ""),
        change("a.d", r#"["create","forget"]"#, ""),
    ];
    let s = summarize_json(plan_with(&changes).as_bytes()).unwrap();
    assert_eq!(
        (s.import, s.update, s.no_op, s.moved, s.read),
        (2, 2, 1, 1, 1)
    );
    assert_eq!((s.delete, s.replace, s.create, s.forget), (0, 1, 1, 1));
    assert_eq!(
        s.one_line(),
        "+2 ~2 -1 (2 to import, 1 to move, 1 to forget, 1 output changes) ⚠️"
    );
}

#[test]
fn markdown_escapes_addresses_and_errors() {
    let changes = vec![change(r#"a.b["x`y|<z>"]"#, r#"["delete"]"#, "")];
    let md = summarize_json(plan_with(&changes).as_bytes())
        .unwrap()
        .to_markdown();
    assert!(md.contains(r#"- `` a.b["x`y|<z>"] ``"#), "{md}");
    let md = summarize_text("Error: bad <script> | [link](x)\n").to_markdown();
    assert!(md.contains(r"bad &lt;script&gt; \| \[link\]\(x\)"), "{md}");
}

#[test]
fn ui_stream_counts_changes_outputs_and_drift() {
    let stream = [
        r#"{"@level":"info","type":"version","terraform":"1.9.0","ui":"1.2"}"#,
        r#"{"@level":"info","type":"resource_drift","change":{"resource":{"addr":"a.x"},"action":"update"}}"#,
        r#"{"@level":"info","type":"planned_change","change":{"resource":{"addr":"a.b"},"action":"create"}}"#,
        r#"{"@level":"info","type":"planned_change","change":{"resource":{"addr":"a.c"},"action":"replace","reason":"tainted"}}"#,
        r#"{"@level":"info","type":"planned_change","change":{"resource":{"addr":"a.d"},"previous_resource":{"addr":"a.e"},"action":"move"}}"#,
        r#"{"@level":"info","type":"planned_change","change":{"resource":{"addr":"a.f"},"action":"delete"}}"#,
        "not json at all",
        r#"{"@level":"info","type":"change_summary","changes":{"add":2,"change":0,"import":0,"remove":2,"operation":"plan"}}"#,
        r#"{"@level":"info","type":"outputs","outputs":{"o":{"sensitive":false,"action":"create"},"p":{"action":"noop"}}}"#,
    ]
    .join("\n");
    let s = infra_ci_plan::detect_and_summarize(stream.as_bytes()).unwrap();
    assert_eq!(
        (s.create, s.replace, s.delete, s.moved, s.drift),
        (1, 1, 1, 1, 1)
    );
    assert_eq!(s.output_changes, 1);
    assert_eq!(s.replaced.items()[0].reason.as_deref(), Some("tainted"));
    assert_eq!(s.terraform_version.as_deref(), Some("1.9.0"));
}

#[test]
fn text_apply_logs_and_opentofu_wording() {
    let s = summarize_text(
        "OpenTofu will perform the following actions:\n\nPlan: 1 to import, 2 to add, 0 to change, 1 to destroy.\n",
    );
    assert_eq!((s.import, s.create, s.delete), (1, 2, 1));
    let s = summarize_text("Apply complete! Resources: 1 added, 2 changed, 0 destroyed.\n");
    assert_eq!((s.create, s.update, s.delete), (1, 2, 0));
    let s = summarize_text(
        "2024-05-01T10:00:00.0000000Z No changes. Your infrastructure matches the configuration.\n",
    );
    assert!(s.is_empty());
}

/// A reader that sends `{` and a few spaces, then fails like a broken pipe.
struct Broken(usize);

impl Read for Broken {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0 == 0 {
            return Err(io::Error::other("pipe broke"));
        }
        buf[0] = if self.0 == 3 { b'{' } else { b' ' };
        self.0 -= 1;
        Ok(1)
    }
}

#[test]
fn read_failures_are_io_errors() {
    assert!(matches!(summarize_json(Broken(3)), Err(PlanError::Io(_))));
    assert!(matches!(
        infra_ci_plan::detect_and_summarize(Broken(3)),
        Err(PlanError::Io(_))
    ));
}

#[test]
fn non_object_json_is_an_error_not_a_summary() {
    let err = summarize_json(&b"[1,2]"[..]).unwrap_err();
    assert!(
        matches!(err, PlanError::InvalidJson { line: 1, .. }),
        "{err}"
    );
    let err = summarize_json(&b""[..]).unwrap_err();
    assert!(matches!(err, PlanError::InvalidJson { .. }), "{err}");
}
