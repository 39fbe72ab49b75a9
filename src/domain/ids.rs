//! Identifier newtypes: a value of one of these types is well-formed by construction.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A string that is not a well-formed identifier of the named kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind}: {value:?}")]
pub struct InvalidId {
    /// What was expected, e.g. `handshake id (h- and 16 letters or digits)`.
    pub kind: &'static str,
    /// The rejected text.
    pub value: String,
}

/// An ASCII identifier of at most `N` bytes stored inline: no heap allocation, `Copy`, and
/// cheap to hash. A world of a million handshakes holds several ids each.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Inline<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> Inline<N> {
    /// `text` must be ASCII and at most `N` bytes (the id parsers check both first).
    fn new(text: &str) -> Self {
        let mut bytes = [0; N];
        bytes[..text.len()].copy_from_slice(text.as_bytes());
        Self {
            len: u8::try_from(text.len()).expect("ids are short"),
            bytes,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..usize::from(self.len)]).expect("ids are ASCII")
    }
}

/// Parses an id from whatever string the deserializer holds, borrowed or in its scratch
/// buffer: no allocation per id while a world loads.
struct IdVisitor<T>(fn(&str) -> Result<T, InvalidId>);

impl<T> serde::de::Visitor<'_> for IdVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an id string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<T, E> {
        (self.0)(text).map_err(E::custom)
    }
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident, $max:literal, $kind:literal, $valid:expr) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(Inline<$max>);

        impl $name {
            /// Parses `text`, or says why it is not a valid id.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                let valid: fn(&str) -> bool = $valid;
                if text.len() <= $max && text.is_ascii() && valid(text) {
                    Ok(Self(Inline::new(text)))
                } else {
                    Err(InvalidId { kind: $kind, value: text.to_owned() })
                }
            }

            /// The id as it goes on the wire.
            #[must_use]
            pub fn as_str(&self) -> &str {
                self.0.as_str()
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl TryFrom<String> for $name {
            type Error = InvalidId;
            fn try_from(text: String) -> Result<Self, InvalidId> {
                Self::parse(&text)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.as_str().to_owned()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.as_str())
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(IdVisitor(Self::parse))
            }
        }
    };
}

fn alnum(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

id_type!(
    /// An Alibaba Cloud account id: 16 digits.
    AccountId,
    16,
    "account id (16 digits)",
    |s| s.len() == 16 && s.bytes().all(|b| b.is_ascii_digit())
);

id_type!(
    /// A handshake (invitation) id: `h-` and 16 letters or digits, mixed case.
    HandshakeId,
    18,
    "handshake id (h- and 16 letters or digits)",
    |s| s.strip_prefix("h-").is_some_and(|rest| rest.len() == 16 && alnum(rest))
);

id_type!(
    /// A resource directory id: `rd-` and 6 to 10 letters or digits. AMBIGUOUS: the docs show both
    /// 6 (`rd-3G****`) and 10 (`rd-abcdef****`) characters, so both lengths and those between pass.
    ResourceDirectoryId,
    13,
    "resource directory id (rd- and 6 to 10 letters or digits)",
    |s| s.strip_prefix("rd-").is_some_and(|rest| (6..=10).contains(&rest.len()) && alnum(rest))
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handshake_ids_need_the_prefix_and_exactly_sixteen_alphanumerics() {
        assert!(HandshakeId::parse("h-Ih8IuPfvV0t0abcd").is_ok());
        for bad in [
            "h-Ih8IuPfvV0t0abc",
            "h-Ih8IuPfvV0t0abcde",
            "H-Ih8IuPfvV0t0abcd",
            "h-Ih8IuPfvV0t0ab_d",
            "",
            "h-",
        ] {
            assert!(HandshakeId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn account_ids_are_sixteen_digits() {
        assert!(AccountId::parse("1512666876910000").is_ok());
        assert!(AccountId::parse("151266687691000").is_err());
        assert!(AccountId::parse("151266687691000a").is_err());
    }

    #[test]
    fn directory_ids_take_six_to_ten_alphanumerics() {
        assert!(ResourceDirectoryId::parse("rd-3G6zcw").is_ok());
        assert!(ResourceDirectoryId::parse("rd-abcdef1234").is_ok());
        assert!(ResourceDirectoryId::parse("rd-3G6zc").is_err());
        assert!(ResourceDirectoryId::parse("rd-abcdef12345").is_err());
    }

    #[test]
    fn an_invalid_id_says_what_was_expected() {
        let err = AccountId::parse("12").unwrap_err();
        assert_eq!(err.to_string(), "invalid account id (16 digits): \"12\"");
    }
}
