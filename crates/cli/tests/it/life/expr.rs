//! The part of GitHub Actions' expression language the pipeline uses: literals, context
//! paths (`needs.parse.outputs.sha`, `steps.plan-run.outputs.run_id`), `!`, `==`, `!=`,
//! `&&`, `||` (returning an operand, as GitHub does), parentheses, and the functions
//! `fromJSON`, `contains`, `startsWith`, `always`, `success`, `failure`, `cancelled`.
//! Anything else panics, so the suite fails when the workflow outgrows it.

use serde_json::Value;

/// What status functions see.
#[derive(Debug, Clone, Copy)]
pub struct JobState {
    pub failed: bool,
}

pub struct Ctx<'a> {
    pub root: &'a Value,
    pub job: JobState,
}

/// Evaluates `${{ … }}` interpolations in `text` into a string.
pub fn interpolate(text: &str, ctx: &Ctx<'_>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .unwrap_or_else(|| panic!("unclosed ${{{{ in {text:?}"));
        let inner = &rest[start + 3..start + end];
        out.push_str(&to_string(&eval(inner, ctx)));
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

/// Evaluates an `if:` condition (with or without `${{ }}`).
pub fn condition(text: &str, ctx: &Ctx<'_>) -> bool {
    let t = text.trim();
    let inner = t
        .strip_prefix("${{")
        .and_then(|s| s.strip_suffix("}}"))
        .unwrap_or(t);
    truthy(&eval(inner, ctx))
}

/// An expression alone (`${{ fromJSON(x) }}` as a value keeps its type).
pub fn value(text: &str, ctx: &Ctx<'_>) -> Value {
    let t = text.trim();
    match t.strip_prefix("${{").and_then(|s| s.strip_suffix("}}")) {
        Some(inner) if !inner.contains("${{") => eval(inner, ctx),
        _ => Value::String(interpolate(text, ctx)),
    }
}

pub fn to_string(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

pub fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

fn eval(src: &str, ctx: &Ctx<'_>) -> Value {
    let tokens = lex(src);
    let mut p = Parser {
        t: &tokens,
        i: 0,
        ctx,
    };
    let v = p.or();
    assert!(p.i == tokens.len(), "trailing tokens in {src:?}");
    v
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Str(String),
    Num(f64),
    Ident(String),
    Op(&'static str),
}

fn lex(src: &str) -> Vec<Tok> {
    let b: Vec<char> = src.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                assert!(i < b.len(), "unclosed string in {src:?}");
                if b[i] == '\'' {
                    if b.get(i + 1) == Some(&'\'') {
                        s.push('\'');
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                s.push(b[i]);
                i += 1;
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && (b[i].is_ascii_digit() || b[i] == '.') {
                i += 1;
            }
            let s: String = b[start..i].iter().collect();
            out.push(Tok::Num(s.parse().unwrap()));
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < b.len() && (b[i].is_alphanumeric() || matches!(b[i], '_' | '-')) {
                i += 1;
            }
            out.push(Tok::Ident(b[start..i].iter().collect()));
        } else {
            let two: String = b[i..(i + 2).min(b.len())].iter().collect();
            let op = ["==", "!=", "&&", "||"]
                .into_iter()
                .find(|o| *o == two)
                .map(|o| (o, 2))
                .or_else(|| {
                    ["!", "(", ")", ",", ".", "[", "]"]
                        .into_iter()
                        .find(|o| o.starts_with(c))
                        .map(|o| (o, 1))
                })
                .unwrap_or_else(|| panic!("unexpected {c:?} in {src:?}"));
            out.push(Tok::Op(op.0));
            i += op.1;
        }
    }
    out
}

struct Parser<'a, 'c> {
    t: &'a [Tok],
    i: usize,
    ctx: &'a Ctx<'c>,
}

impl Parser<'_, '_> {
    fn peek_op(&self, op: &str) -> bool {
        matches!(self.t.get(self.i), Some(Tok::Op(o)) if *o == op)
    }
    fn expect(&mut self, op: &str) {
        assert!(self.peek_op(op), "expected {op} at token {}", self.i);
        self.i += 1;
    }
    fn or(&mut self) -> Value {
        let mut v = self.and();
        while self.peek_op("||") {
            self.i += 1;
            let r = self.and();
            if !truthy(&v) {
                v = r;
            }
        }
        v
    }
    fn and(&mut self) -> Value {
        let mut v = self.cmp();
        while self.peek_op("&&") {
            self.i += 1;
            let r = self.cmp();
            if truthy(&v) {
                v = r;
            }
        }
        v
    }
    fn cmp(&mut self) -> Value {
        let l = self.unary();
        for op in ["==", "!="] {
            if self.peek_op(op) {
                self.i += 1;
                let r = self.unary();
                let eq = loose_eq(&l, &r);
                return Value::Bool(if op == "==" { eq } else { !eq });
            }
        }
        l
    }
    fn unary(&mut self) -> Value {
        if self.peek_op("!") {
            self.i += 1;
            return Value::Bool(!truthy(&self.unary()));
        }
        self.primary()
    }
    fn primary(&mut self) -> Value {
        let tok = self.t.get(self.i).cloned().expect("unexpected end");
        self.i += 1;
        match tok {
            Tok::Str(s) => Value::String(s),
            // Whole numbers stay integers, so `&& 1 || 8` prints `1` as GitHub does.
            #[allow(clippy::cast_possible_truncation)]
            Tok::Num(n) if n.fract() == 0.0 => serde_json::json!(n as i64),
            Tok::Num(n) => serde_json::json!(n),
            Tok::Op("(") => {
                let v = self.or();
                self.expect(")");
                v
            }
            Tok::Ident(name) if self.peek_op("(") => self.call(&name),
            Tok::Ident(name) => match name.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => self.path(&name),
            },
            Tok::Op(o) => panic!("unexpected {o}"),
        }
    }
    fn path(&mut self, first: &str) -> Value {
        let mut v = self.ctx.root.get(first).cloned().unwrap_or(Value::Null);
        loop {
            if self.peek_op(".") {
                self.i += 1;
                let Some(Tok::Ident(k)) = self.t.get(self.i).cloned() else {
                    panic!("expected a name after .");
                };
                self.i += 1;
                v = v.get(&k).cloned().unwrap_or(Value::Null);
            } else if self.peek_op("[") {
                self.i += 1;
                let k = self.or();
                self.expect("]");
                v = v.get(to_string(&k)).cloned().unwrap_or(Value::Null);
            } else {
                return v;
            }
        }
    }
    fn call(&mut self, name: &str) -> Value {
        self.expect("(");
        let mut args = Vec::new();
        while !self.peek_op(")") {
            args.push(self.or());
            if self.peek_op(",") {
                self.i += 1;
            }
        }
        self.expect(")");
        let job = self.ctx.job;
        match name.to_ascii_lowercase().as_str() {
            "fromjson" => serde_json::from_str(&to_string(&args[0]))
                .unwrap_or_else(|e| panic!("fromJSON({:?}): {e}", args[0])),
            "contains" => Value::Bool(match &args[0] {
                Value::Array(a) => a.iter().any(|x| loose_eq(x, &args[1])),
                s => to_string(s)
                    .to_lowercase()
                    .contains(&to_string(&args[1]).to_lowercase()),
            }),
            "startswith" => Value::Bool(
                to_string(&args[0])
                    .to_lowercase()
                    .starts_with(&to_string(&args[1]).to_lowercase()),
            ),
            "always" => Value::Bool(true),
            "success" => Value::Bool(!job.failed),
            "failure" => Value::Bool(job.failed),
            "cancelled" => Value::Bool(false),
            other => panic!("function {other} is not in the life suite's evaluator"),
        }
    }
}

/// GitHub's `==`: strings case-insensitively, otherwise by number.
fn loose_eq(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::String(x), Value::String(y)) => x.eq_ignore_ascii_case(y),
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        _ => {
            let number = |v: &Value| match v {
                Value::Null => Some(0.0),
                Value::Bool(b) => Some(f64::from(u8::from(*b))),
                Value::Number(n) => n.as_f64(),
                Value::String(s) if s.trim().is_empty() => Some(0.0),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            matches!((number(left), number(right)), (Some(x), Some(y)) if x == y)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pipelines_forms_evaluate_as_on_github() {
        let root = json!({"needs": {"parse": {"outputs": {"apply": "true", "projects": "[\"a\"]"}, "result": "success"}},
                          "steps": {"plan-run": {"outputs": {"run_id": ""}}}});
        let ctx = Ctx {
            root: &root,
            job: JobState { failed: false },
        };
        assert!(condition("needs.parse.outputs.apply == 'true'", &ctx));
        assert!(!condition("steps.plan-run.outputs.run_id != ''", &ctx));
        assert_eq!(
            to_string(&value(
                "${{ needs.parse.outputs.apply == 'true' && 1 || 8 }}",
                &ctx
            )),
            "1"
        );
        assert_eq!(
            value("${{ fromJSON(needs.parse.outputs.projects) }}", &ctx),
            json!(["a"])
        );
        assert!(condition(
            "!cancelled() && (needs.parse.result == 'success' || needs.x.result == 'skipped')",
            &ctx
        ));
        assert!(!condition("(failure() || cancelled())", &ctx));
        assert_eq!(
            interpolate("a-${{ needs.parse.result }}-b", &ctx),
            "a-success-b"
        );
    }
}
