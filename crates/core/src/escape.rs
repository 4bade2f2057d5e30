//! Escaping of every outside string that reaches the comment (tool output, names, links).
//!
//! Cells are made inert: no table breaks (`|`, newlines), no HTML or hidden comments
//! (`<`, `>`, `<!--`), no Markdown links or images (`[`, `]`), no emphasis or code, no
//! @-mentions (which would notify people). Entities are used rather than backslashes
//! because they are unambiguous to reverse in [`unescape_cell`].

/// The characters replaced by an entity, and the entity.
const ENTITIES: &[(char, &str)] = &[
    ('&', "&amp;"),
    ('<', "&lt;"),
    ('>', "&gt;"),
    ('|', "&#124;"),
    ('[', "&#91;"),
    (']', "&#93;"),
    ('`', "&#96;"),
    ('*', "&#42;"),
    ('_', "&#95;"),
    ('\\', "&#92;"),
    ('@', "&#64;"),
    ('~', "&#126;"),
    ('#', "&#35;"),
];

/// Invisible formatting characters that can make a cell say something other than what it
/// shows: bidirectional overrides and isolates (the "Trojan Source" characters), zero-width
/// spaces and joiners, the word joiner, the byte-order mark and the soft hyphen.
pub fn is_invisible_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

/// Collapses whitespace and control characters into single spaces, trimmed; invisible
/// formatting characters ([`is_invisible_format`]) are dropped.
pub fn one_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(4096));
    let mut pending_space = false;
    for c in text.chars() {
        if is_invisible_format(c) {
            continue;
        }
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}

/// Truncates to at most `max` characters, ending in `…` when cut.
pub fn truncate_chars(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: String = text.chars().take(max - 1).collect();
    out.push('…');
    out
}

/// Makes one line of outside text safe inside a Markdown table cell.
pub fn escape_cell(text: &str) -> String {
    let line = one_line(text);
    let mut out = String::with_capacity(line.len() + 16);
    for c in line.chars() {
        match ENTITIES.iter().find(|(ch, _)| *ch == c) {
            Some((_, entity)) => out.push_str(entity),
            None => out.push(c),
        }
    }
    out
}

/// Reverses [`escape_cell`] (the whitespace folding excepted).
pub fn unescape_cell(cell: &str) -> String {
    let mut out = String::with_capacity(cell.len());
    let mut rest = cell;
    'outer: while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        for (c, entity) in ENTITIES {
            if let Some(after) = rest.strip_prefix(entity) {
                out.push(*c);
                rest = after;
                continue 'outer;
            }
        }
        if let Some((c, len)) = numeric_entity(rest) {
            out.push(c);
            rest = &rest[len..];
            continue;
        }
        out.push('&');
        rest = &rest[1..];
    }
    out.push_str(rest);
    out
}

/// `&#NNN;` at the start of `s`: the character and the entity's length.
fn numeric_entity(s: &str) -> Option<(char, usize)> {
    let digits = s.strip_prefix("&#")?;
    let end = digits.find(';')?;
    if end == 0 || end > 7 {
        return None;
    }
    let c = char::from_u32(digits[..end].parse().ok()?)?;
    Some((c, end + 3))
}

/// A link safe to put in `[text](link)`: `http(s)` only, no whitespace, invisible
/// formatting characters, quotes or angle brackets; parentheses, pipes and backslashes
/// percent-encoded (a trailing `\` would escape the closing parenthesis). Anything else is
/// dropped (`None`).
pub fn safe_link(link: &str) -> Option<String> {
    let link = link.trim();
    let lower = link.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) || link.len() > 2048 {
        return None;
    }
    if link.chars().any(|c| {
        c.is_whitespace()
            || c.is_control()
            || is_invisible_format(c)
            || matches!(c, '<' | '>' | '"' | '\'' | '`')
    }) {
        return None;
    }
    Some(
        link.replace('\\', "%5C")
            .replace('(', "%28")
            .replace(')', "%29")
            .replace('|', "%7C"),
    )
}

/// Makes text safe inside a fenced code block in the details section: our own hidden
/// markers cannot be forged from inside (a zero-width space breaks `<!--`), and the fence
/// is chosen longer than any backtick run in the text.
pub fn fence_for(text: &str) -> String {
    let (mut run, mut longest) = (0usize, 0usize);
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat((longest + 1).max(3))
}

/// Neutralises hidden-comment openers in text placed inside a code fence.
pub fn defuse_comments(text: &str) -> String {
    text.replace("<!--", "<!-\u{200b}-").replace('\0', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_cells_are_inert() {
        let hostile = "a|b\n<!-- x --> <script>[x](javascript:y) @org/team `c` *d* _e_";
        let cell = escape_cell(hostile);
        for bad in ['|', '\n', '<', '>', '[', ']', '`', '*', '_', '@'] {
            assert!(!cell.contains(bad), "{bad:?} survived in {cell}");
        }
        assert_eq!(unescape_cell(&cell), one_line(hostile));
    }

    #[test]
    fn unescape_leaves_other_ampersands() {
        assert_eq!(unescape_cell("a &foo; b"), "a &foo; b");
        assert_eq!(unescape_cell(&escape_cell("&amp;")), "&amp;");
    }

    #[test]
    fn links_must_be_http() {
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("https://x/a b"), None);
        assert_eq!(
            safe_link("https://x/(a)|b").as_deref(),
            Some("https://x/%28a%29%7Cb")
        );
    }

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }

    #[test]
    fn truncation_counts_characters() {
        assert_eq!(truncate_chars("héllo", 3), "hé…");
        assert_eq!(truncate_chars("hé", 3), "hé");
    }
}

#[cfg(test)]
mod hostile {
    use super::*;

    #[test]
    fn bidi_and_zero_width_characters_never_reach_a_cell() {
        // "Trojan Source": an override makes `evil` display as `live`.
        let cell = escape_cell("ok\u{202E}live\u{202C} a\u{200B}b\u{2066}c\u{2069}\u{FEFF}d");
        assert_eq!(cell, "oklive abcd");
        assert!(safe_link("https://x.test/\u{202E}a").is_none());
    }

    #[test]
    fn a_backslash_cannot_escape_the_links_closing_parenthesis() {
        assert_eq!(
            safe_link("https://x.test/a\\").as_deref(),
            Some("https://x.test/a%5C")
        );
        assert_eq!(
            safe_link("https://x.test/(a)|b").as_deref(),
            Some("https://x.test/%28a%29%7Cb")
        );
    }
}
