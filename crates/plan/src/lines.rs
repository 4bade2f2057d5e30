//! Reading input line by line with bounded memory, whatever the input holds.

use std::io::{self, BufRead, Read};

/// Text lines longer than this are cut: a summary needs no more of a log line.
pub(crate) const MAX_TEXT_LINE_BYTES: u64 = 64 * 1024;

/// UI stream messages longer than this are cut (and so skipped as invalid JSON); an
/// `outputs` message of a large root module stays well under it.
pub(crate) const MAX_MESSAGE_BYTES: u64 = 4 * 1024 * 1024;

/// Calls `each` with every line of `reader` (newline and `\r` removed, invalid UTF-8
/// replaced, cut at `max` bytes so memory stays bounded).
pub(crate) fn for_each_line<R: BufRead>(
    mut reader: R,
    max: u64,
    mut each: impl FnMut(&str),
) -> io::Result<()> {
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.by_ref().take(max).read_until(b'\n', &mut buf)?;
        if n == 0 {
            return Ok(());
        }
        if buf.last() != Some(&b'\n') && n as u64 == max {
            skip_rest_of_line(&mut reader)?;
        }
        let line = String::from_utf8_lossy(&buf);
        each(line.trim_end_matches(['\n', '\r']));
    }
}

fn skip_rest_of_line<R: BufRead>(reader: &mut R) -> io::Result<()> {
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(());
        }
        if let Some(at) = available.iter().position(|&b| b == b'\n') {
            reader.consume(at + 1);
            return Ok(());
        }
        let len = available.len();
        reader.consume(len);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_and_the_next_line_survives() {
        let max = MAX_TEXT_LINE_BYTES;
        let long = "x".repeat(usize::try_from(max).unwrap() * 3);
        let input = format!("{long}\nnext\r\n");
        let mut seen = Vec::new();
        for_each_line(input.as_bytes(), max, |l| seen.push(l.len())).unwrap();
        assert_eq!(seen, vec![usize::try_from(max).unwrap(), 4]);
    }
}
