//! Request headers as both facades' signers read them: names lower-cased, the values of a
//! repeated header joined with `,` (what the V3 and SDK-HMAC-SHA256 canonical headers take).

use std::collections::BTreeMap;

/// Request headers: lower-case names; a repeated header's values joined with `,`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(BTreeMap<String, String>);

impl Headers {
    /// Collects `(name, value)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut map: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in pairs {
            map.entry(name.to_ascii_lowercase())
                .and_modify(|joined| {
                    joined.push(',');
                    joined.push_str(value);
                })
                .or_insert_with(|| value.to_owned());
        }
        Self(map)
    }

    /// A header's value (`name` lower-case).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// Every header name, lower-cased, in byte order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// A header's value if present and not empty.
    #[must_use]
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }
}
