//! Request parameters: the query string and an `application/x-www-form-urlencoded` body, decoded
//! with form semantics (`+` is a space) and merged into one map sorted by name in byte order,
//! which is the order V1 signing needs.
//!
//! Decoding is strict on purpose: `serde_urlencoded` (via `form_urlencoded`) passes a broken `%`
//! escape through and replaces invalid UTF-8, and the signature would then cover text the client
//! never sent. Here either is an error that names the parameter.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// Why the parameters could not be read; each names the parameter (as sent, if undecodable).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// The same name appears twice (in the query, the body, or across both).
    #[error("parameter {0} is repeated")]
    Repeated(String),
    /// A broken `%` escape or bytes that are not UTF-8.
    #[error("parameter {0} is not valid percent-encoded UTF-8")]
    BadEncoding(String),
}

impl ParamError {
    /// The parameter's name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Repeated(name) | Self::BadEncoding(name) => name,
        }
    }
}

/// Decoded parameters, sorted by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    /// Parses the raw query and, if present, the raw form body.
    pub fn parse(query: &[u8], form: Option<&[u8]>) -> Result<Self, ParamError> {
        let mut params = BTreeMap::new();
        for source in std::iter::once(query).chain(form) {
            for pair in source.split(|&b| b == b'&').filter(|pair| !pair.is_empty()) {
                let (raw_name, raw_value) = match pair.iter().position(|&b| b == b'=') {
                    Some(at) => (&pair[..at], &pair[at + 1..]),
                    None => (pair, &[][..]),
                };
                let bad =
                    || ParamError::BadEncoding(String::from_utf8_lossy(raw_name).into_owned());
                let name = decode(raw_name).ok_or_else(bad)?;
                let value = decode(raw_value).ok_or_else(bad)?;
                match params.entry(name) {
                    Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    Entry::Occupied(slot) => return Err(ParamError::Repeated(slot.key().clone())),
                }
            }
        }
        Ok(Self(params))
    }

    /// The value of `name`, if sent (possibly empty).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The value of `name` if sent and not empty: an empty required parameter counts as missing.
    #[must_use]
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// All parameters in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Adds or replaces a parameter (for building requests, e.g. the `sign` command).
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.0.insert(name.into(), value.into());
    }

    /// Removes a parameter.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        self.0.remove(name)
    }
}

impl FromIterator<(String, String)> for Params {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self(iter.into_iter().collect())
    }
}

/// A number as parameters carry it: plain decimal digits, nothing else (no sign, no spaces), that
/// fit a `usize`. Rust's own parser takes a leading `+`, which would let `PageSize=+2` through.
#[must_use]
pub fn decimal(text: &str) -> Option<usize> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// An index inside a parameter name (`Tag.N.Key`): [`decimal`] without leading zeros, so that
/// each index has one spelling and `Tag.01.Key` cannot fill the slot of `Tag.1.Key`.
#[must_use]
pub fn name_index(text: &str) -> Option<usize> {
    decimal(text).filter(|_| !text.starts_with('0'))
}

/// Form-decodes one component: `+` is a space, `%XY` a byte; anything else broken is `None`.
fn decode(raw: &[u8]) -> Option<String> {
    let mut bytes = Vec::with_capacity(raw.len());
    let mut rest = raw;
    while let Some((&b, tail)) = rest.split_first() {
        match b {
            b'+' => bytes.push(b' '),
            b'%' => {
                let (hex, tail) = tail.split_at_checked(2)?;
                let hi = char::from(hex[0]).to_digit(16)?;
                let lo = char::from(hex[1]).to_digit(16)?;
                bytes.push(u8::try_from(hi * 16 + lo).ok()?);
                rest = tail;
                continue;
            }
            _ => bytes.push(b),
        }
        rest = tail;
    }
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_form_merge_sorted_with_form_semantics() {
        let params = Params::parse(b"b=1+2&a=%7E", Some(b"c=x%2By&d=")).unwrap();
        let all: Vec<_> = params.iter().collect();
        assert_eq!(all, [("a", "~"), ("b", "1 2"), ("c", "x+y"), ("d", "")]);
    }

    #[test]
    fn a_name_without_equals_has_an_empty_value_and_empty_pairs_are_skipped() {
        let params = Params::parse(b"&SignatureType&&x=1&", None).unwrap();
        assert_eq!(params.get("SignatureType"), Some(""));
        assert_eq!(params.non_empty("SignatureType"), None);
        assert_eq!(params.get("x"), Some("1"));
    }

    #[test]
    fn a_repeated_name_is_refused_even_across_query_and_form() {
        assert_eq!(
            Params::parse(b"a=1&a=2", None),
            Err(ParamError::Repeated("a".into()))
        );
        assert_eq!(
            Params::parse(b"a=1", Some(b"a=1")),
            Err(ParamError::Repeated("a".into()))
        );
    }

    #[test]
    fn numbers_are_plain_decimal_digits_and_indexes_have_one_spelling() {
        assert_eq!(decimal("20"), Some(20));
        assert_eq!(decimal("02"), Some(2));
        for bad in [
            "",
            "+2",
            "-1",
            " 2",
            "2 ",
            "0x10",
            "1e3",
            "２",
            "99999999999999999999999",
        ] {
            assert_eq!(decimal(bad), None, "{bad:?}");
        }
        assert_eq!(name_index("1"), Some(1));
        assert_eq!(name_index("20"), Some(20));
        for bad in ["01", "0", "+1", ""] {
            assert_eq!(name_index(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn broken_escapes_and_invalid_utf8_are_refused_naming_the_parameter() {
        assert_eq!(
            Params::parse(b"Note=%zz", None),
            Err(ParamError::BadEncoding("Note".into()))
        );
        assert_eq!(
            Params::parse(b"Note=%4", None),
            Err(ParamError::BadEncoding("Note".into()))
        );
        assert_eq!(
            Params::parse(b"Note=%FF", None),
            Err(ParamError::BadEncoding("Note".into()))
        );
        assert_eq!(
            Params::parse(b"Note=\xff", None),
            Err(ParamError::BadEncoding("Note".into()))
        );
    }
}
