//! Mastodon sends status content as HTML (`<p>`, `<br>`, links and mention
//! spans). The inbox wants the plain text a person wrote; this turns one into
//! the other, without an HTML parser: paragraphs become blank lines, `<br>` a
//! line break, every other tag goes (keeping its text, so a link shows its
//! full URL, which Mastodon keeps in hidden spans), and character references
//! are decoded once (`&amp;lt;` is `&lt;`, not `<`).

/// The plain text of Mastodon status HTML.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(['<', '&']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<!--") {
            rest = match rest.find("-->") {
                Some(end) => &rest[end + 3..],
                None => "",
            };
        } else if rest.starts_with('<') {
            match tag_end(rest) {
                Some(end) => {
                    on_tag(&rest[1..end], &mut out);
                    rest = &rest[end + 1..];
                }
                // A `<` that opens no tag is text (Mastodon escapes it, others may not).
                None => {
                    out.push('<');
                    rest = &rest[1..];
                }
            }
        } else {
            match decode_reference(rest) {
                Some((decoded, len)) => {
                    out.push(decoded);
                    rest = &rest[len..];
                }
                None => {
                    out.push('&');
                    rest = &rest[1..];
                }
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// Where the tag that starts `s` (at its `<`) ends: the first `>` outside a
/// quoted attribute value. `None` when `<` does not start a tag.
fn tag_end(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    match bytes.get(1) {
        Some(c) if c.is_ascii_alphabetic() || *c == b'/' || *c == b'!' => {}
        _ => return None,
    }
    let mut quote = None;
    for (i, &b) in bytes.iter().enumerate().skip(1) {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(b),
            (Some(q), _) if b == q => quote = None,
            (None, b'>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// Applies one tag (its text between `<` and `>`) to the output.
fn on_tag(tag: &str, out: &mut String) {
    let closing = tag.starts_with('/');
    let name: String = tag
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match (name.as_str(), closing) {
        ("br", _) => out.push('\n'),
        ("p", true) => out.push_str("\n\n"),
        // A paragraph opened right after text (without `</p>`) starts on its own.
        ("p", false) if !out.is_empty() && !out.ends_with('\n') => out.push_str("\n\n"),
        _ => {}
    }
}

/// Decodes the character reference that starts `s` (at its `&`): the named
/// ones Mastodon and its peers emit, and every numeric one. Returns the
/// character and how many bytes the reference took.
fn decode_reference(s: &str) -> Option<(char, usize)> {
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let body = &s[1..end];
    let decoded = match body {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let number = body.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse::<u32>().ok()?,
            };
            match char::from_u32(code) {
                Some('\0') | None => char::REPLACEMENT_CHARACTER,
                Some(c) => c,
            }
        }
    };
    Some((decoded, end + 1))
}
