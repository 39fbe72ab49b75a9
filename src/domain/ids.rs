//! Identifier newtypes, neutral between clouds: each holds a short ASCII identifier inline. The
//! domain only requires an id to be non-empty, ASCII and short enough; the shape a cloud gives its
//! ids (`h-` and 16 letters, 32 hex digits, ...) is that cloud's facade's business, checked before
//! an id is built.

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

impl InvalidId {
    /// `build(text)` if `valid` (a facade's check of its own id shape), else an invalid `kind`.
    pub fn unless<T>(
        valid: bool,
        text: &str,
        kind: &'static str,
        build: fn(&str) -> Result<T, InvalidId>,
    ) -> Result<T, InvalidId> {
        let invalid = || InvalidId {
            kind,
            value: text.to_owned(),
        };
        if valid {
            build(text).map_err(|_| invalid())
        } else {
            Err(invalid())
        }
    }
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
    ($(#[$meta:meta])* $name:ident, $max:literal, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name(Inline<$max>);

        impl $name {
            /// The longest id, in bytes.
            pub const MAX_LEN: usize = $max;

            /// Wraps `text`: 1 to `MAX_LEN` ASCII letters, digits, `-` or `_`.
            pub fn parse(text: &str) -> Result<Self, InvalidId> {
                if (1..=$max).contains(&text.len())
                    && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                {
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

id_type!(
    /// An account id (Alibaba: 16 digits; Huawei: 32 hex digits).
    AccountId,
    32,
    "account id"
);

id_type!(
    /// A handshake (invitation) id (Alibaba: `h-` and 16 letters or digits; Huawei: `h-` and 32).
    HandshakeId,
    34,
    "handshake id"
);

id_type!(
    /// An organization id: Alibaba's resource directory (`rd-…`), Huawei's organization (`o-…`).
    OrganizationId,
    34,
    "organization id"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_short_ascii_words() {
        assert!(HandshakeId::parse("h-Ih8IuPfvV0t0abcd").is_ok());
        assert!(HandshakeId::parse("h-awjp43m7bz3b8jgy5v61jrfwakt3og8w").is_ok());
        for bad in ["", "h-a b", "h-é", &"x".repeat(35)] {
            assert!(HandshakeId::parse(bad).is_err(), "{bad}");
        }
        assert!(AccountId::parse(&"0".repeat(33)).is_err());
    }

    #[test]
    fn an_invalid_id_says_what_was_expected() {
        let err = AccountId::parse("1 2").unwrap_err();
        assert_eq!(err.to_string(), "invalid account id: \"1 2\"");
    }
}
