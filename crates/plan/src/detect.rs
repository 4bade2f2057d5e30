//! Telling `show -json` output, the `plan -json` UI stream and plan text apart, by their
//! first bytes, without seeking (so stdin works).

use std::io::{BufReader, Cursor, ErrorKind, Read};

use crate::error::PlanError;
use crate::show_json::{BUFFER_BYTES, summarize_json_unbuffered};
use crate::summary::Summary;
use crate::text::summarize_text_reader;
use crate::ui_json::summarize_ui_json;

/// The input formats [`detect_and_summarize`] tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `terraform show -json <planfile>`: a JSON object whose first key is not `@...`.
    ShowJson,
    /// `terraform plan -json`: JSON objects, one a line, whose first key is `@level`
    /// (or another `@` key, or `type`).
    UiJson,
    /// Anything else: human-readable plan output.
    Text,
}

/// How many leading bytes detection may look at before deciding.
const PEEK_LIMIT: usize = 4096;

/// Detects the format from the first non-whitespace bytes, then summarizes.
///
/// # Errors
/// As [`crate::summarize_json`] for JSON plans; [`PlanError::Io`] for read failures.
pub fn detect_and_summarize<R: Read>(reader: R) -> Result<Summary, PlanError> {
    let (format, reader) = detect(reader)?;
    let reader = BufReader::with_capacity(BUFFER_BYTES, reader);
    match format {
        Format::ShowJson => summarize_json_unbuffered(reader),
        Format::UiJson => summarize_ui_json(reader),
        Format::Text => summarize_text_reader(reader),
    }
}

/// Reads just enough of `reader` to tell its format; returns the format and a reader
/// that yields the whole input again (the peeked prefix, then the rest).
pub fn detect<R: Read>(mut reader: R) -> Result<(Format, impl Read), PlanError> {
    let mut prefix = Vec::new();
    let mut chunk = [0_u8; 512];
    let format = loop {
        if let Some(format) = decide(&prefix) {
            break format;
        }
        let n = match reader.read(&mut chunk) {
            Ok(n) => n,
            Err(err) if err.kind() == ErrorKind::Interrupted => continue,
            Err(err) => return Err(err.into()),
        };
        if n == 0 || prefix.len() >= PEEK_LIMIT {
            break decide_at_end(&prefix);
        }
        prefix.extend_from_slice(&chunk[..n]);
    };
    Ok((format, Cursor::new(prefix).chain(reader)))
}

/// Decides from a prefix, or `None` when more bytes are needed.
fn decide(prefix: &[u8]) -> Option<Format> {
    let mut rest = skip_whitespace(prefix);
    match rest.first()? {
        b'{' => rest = skip_whitespace(&rest[1..]),
        _ => return Some(Format::Text),
    }
    match rest {
        [] | [b'"'] => None,
        [b'"', b'@', ..] => Some(Format::UiJson),
        [b'"', key @ ..] if key.len() < 5 && b"type\"".starts_with(key) => None,
        [b'"', key @ ..] if key.starts_with(b"type\"") => Some(Format::UiJson),
        _ => Some(Format::ShowJson),
    }
}

/// Decides when the input ended (or the peek limit was hit) before [`decide`] could.
fn decide_at_end(prefix: &[u8]) -> Format {
    if skip_whitespace(prefix).first() == Some(&b'{') {
        // A truncated object: let the JSON parser report where it breaks.
        Format::ShowJson
    } else {
        Format::Text
    }
}

/// Skips ASCII whitespace and a UTF-8 byte-order mark.
fn skip_whitespace(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn decides_by_first_key() {
        assert_eq!(decide(b" \n{\"format_version\":"), Some(Format::ShowJson));
        assert_eq!(decide(b"{\"@level\":\"info\""), Some(Format::UiJson));
        assert_eq!(decide(b"{\"type\":\"version\""), Some(Format::UiJson));
        assert_eq!(decide(b"{\"ty"), None);
        assert_eq!(decide(b"{\"tz\""), Some(Format::ShowJson));
        assert_eq!(decide(b"\xEF\xBB\xBFPlan: 1 to add"), Some(Format::Text));
        assert_eq!(decide(b"   "), None);
        assert_eq!(decide_at_end(b"   "), Format::Text);
    }

    /// A reader that hands out one byte at a time, like a slow pipe.
    struct Slow<'a>(&'a [u8]);

    impl Read for Slow<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn reader_yields_whole_input_after_detection() {
        let input = b"{\"@level\":\"info\"}\nrest";
        let (format, mut reader) = detect(Slow(input)).unwrap();
        assert_eq!(format, Format::UiJson);
        let mut all = Vec::new();
        reader.read_to_end(&mut all).unwrap();
        assert_eq!(all, input);
    }
}
