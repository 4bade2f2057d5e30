//! Cleaning CI log lines: ANSI colour codes, Actions timestamps and diagnostic box borders.

/// Removes ANSI escape sequences (CSI such as `ESC[1;32m`, OSC ending in BEL or `ESC\`,
/// and two-byte escapes). Text without `ESC` is returned borrowed.
pub(crate) fn strip_ansi(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains('\u{1b}') {
        return line.into();
    }
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            // CSI: parameters and intermediates, then one final byte in @..~
            Some('[') => {
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            // OSC: up to BEL or ESC '\'
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' {
                        chars.next_if_eq(&'\\');
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out.into()
}

/// Removes the timestamp GitHub Actions puts before each line of a downloaded job log
/// (`2024-05-01T12:00:00.1234567Z `).
pub(crate) fn strip_actions_timestamp(line: &str) -> &str {
    let bytes = line.as_bytes();
    let looks_like_date = bytes.len() > 20
        && bytes[..4].iter().all(u8::is_ascii_digit)
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b'T';
    if !looks_like_date {
        return line;
    }
    match line.find("Z ") {
        Some(end) if end < 40 => &line[end + 2..],
        _ => line,
    }
}

/// Removes the `│ ` border Terraform draws around diagnostics (and `╷`/`╵` corners).
pub(crate) fn strip_box(line: &str) -> &str {
    let trimmed = line.trim_start_matches(['│', '╷', '╵']);
    if trimmed.len() == line.len() {
        line
    } else {
        trimmed.strip_prefix(' ').unwrap_or(trimmed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn strips_colour_codes() {
        assert_eq!(
            strip_ansi("\u{1b}[0m\u{1b}[1mPlan:\u{1b}[0m 2 to add"),
            "Plan: 2 to add"
        );
        assert_eq!(strip_ansi("\u{1b}]8;;http://x\u{7}link"), "link");
        assert_eq!(strip_ansi("plain"), "plain");
    }

    #[test]
    fn strips_actions_timestamp_and_box() {
        assert_eq!(
            strip_actions_timestamp("2024-05-01T12:00:00.1234567Z Plan: 1 to add"),
            "Plan: 1 to add"
        );
        assert_eq!(strip_actions_timestamp("2 to add"), "2 to add");
        assert_eq!(strip_box("│ Error: boom"), "Error: boom");
        assert_eq!(strip_box("Error: boom"), "Error: boom");
    }
}
