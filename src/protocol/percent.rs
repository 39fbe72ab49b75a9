//! RFC 3986 percent-encoding as Alibaba signing uses it: only `A-Z a-z 0-9 - _ . ~` stay literal,
//! every other UTF-8 byte becomes `%XY` with upper-case hex (so space is `%20`, `*` is `%2A`).

/// Appends the encoding of `text` to `out`.
pub fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0x0f)]));
        }
    }
}

/// `pct(name)=pct(value)` for each pair, joined with `&` (the canonical query of V1 and V3).
#[must_use]
pub fn canonical_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        encode_into(&mut out, name);
        out.push('=');
        encode_into(&mut out, value);
    }
    out
}

/// The encoding of `text`.
#[must_use]
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3 / 2);
    encode_into(&mut out, text);
    out
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn only_unreserved_characters_stay_literal() {
        assert_eq!(encode("a b*c~d/e+fé"), "a%20b%2Ac~d%2Fe%2Bf%C3%A9");
        assert_eq!(encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(encode("2020-06-01T12:00:00Z"), "2020-06-01T12%3A00%3A00Z");
    }
}
