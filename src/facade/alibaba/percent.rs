//! RFC 3986 percent-encoding as Alibaba signing uses it: only `A-Z a-z 0-9 - _ . ~` stay literal,
//! every other UTF-8 byte becomes `%XY` with upper-case hex (so space is `%20`, `*` is `%2A`).

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~')
}

/// Appends the encoding of `text` to `out`. Runs of unreserved characters are copied whole:
/// strings to sign are mostly such runs, and this is on every request's path.
pub fn encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + bytes.len() / 4);
    let mut start = 0;
    for (at, &b) in bytes.iter().enumerate() {
        if unreserved(b) {
            continue;
        }
        // A non-empty run is unreserved ASCII, so both ends lie on character boundaries.
        if start < at {
            out.push_str(&text[start..at]);
        }
        out.push('%');
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
        start = at + 1;
    }
    if start < bytes.len() {
        out.push_str(&text[start..]);
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
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_run_copying_encoder_matches_a_byte_by_byte_one(text in any::<String>()) {
            let naive: String = text
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect();
            prop_assert_eq!(encode(&text), naive);
        }
    }

    #[test]
    fn only_unreserved_characters_stay_literal() {
        assert_eq!(encode("a b*c~d/e+fé"), "a%20b%2Ac~d%2Fe%2Bf%C3%A9");
        assert_eq!(encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(encode("éé a"), "%C3%A9%C3%A9%20a");
        assert_eq!(encode(""), "");
        assert_eq!(encode("2020-06-01T12:00:00Z"), "2020-06-01T12%3A00%3A00Z");
    }
}
