//! What every world document shares, whichever cloud's section it describes: times absolute or
//! relative to loading (`2026-11-01T09:00:00Z`, `now`, `now-20d`, `now+1h`, `now-90m`,
//! `now-30s`), durations, parsing TOML and JSON with located errors, and locating a problem
//! found after parsing at the value it is about. All time arithmetic is checked: a time out of
//! range is a problem to report, never a panic.

use crate::clock::{EARLIEST, LATEST};
use crate::domain::{Account, AccountId, Credential, OrganizationId, Secret, truncate_to_seconds};
use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{BuildHasher, Hash};
use std::sync::Arc;

/// A point in time, absolute or relative to when the document is loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeSpec {
    /// A fixed instant.
    At(DateTime<Utc>),
    /// The load time plus this offset.
    FromNow(TimeDelta),
}

impl TimeSpec {
    /// The instant this names, for a document loaded at `now`, at second precision; `None` if
    /// it falls outside the emulator clock's range (1970-01-01 to 9999-01-01), beyond which
    /// wire times would lose their four-digit year.
    #[must_use]
    pub fn resolve(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Self::At(at) => Some(at),
            Self::FromNow(offset) => now.checked_add_signed(offset),
        }
        .filter(|at| (EARLIEST..=LATEST).contains(at))
        .map(truncate_to_seconds)
    }

    /// Parses `now`, `now±N<unit>` or an RFC 3339 time.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.strip_prefix("now") {
            Some("") => Ok(Self::FromNow(TimeDelta::zero())),
            Some(offset) if offset.starts_with(['+', '-']) => parse_duration(offset)
                .map(Self::FromNow)
                .map_err(|e| format!("invalid relative time {text:?}: {e}")),
            Some(_) => Err(format!(
                "invalid relative time {text:?}: expected now, now+N<unit> or now-N<unit>"
            )),
            None => DateTime::parse_from_rfc3339(text)
                .map(|at| Self::At(at.with_timezone(&Utc)))
                .map_err(|e| {
                    format!(
                        "invalid time {text:?} ({e}): expected e.g. 2026-11-01T09:00:00Z or now-20d"
                    )
                }),
        }
    }
}

/// A signed duration: an optional sign, a whole number and a unit, `d`, `h`, `m` or `s`
/// (`14d`, `-1h`, `+90m`, `30s`).
pub fn parse_duration(text: &str) -> Result<TimeDelta, String> {
    let (sign, unsigned) = match text.split_at_checked(1) {
        Some(("-", rest)) => (-1, rest),
        Some(("+", rest)) => (1, rest),
        _ => (1, text),
    };
    let unit = unsigned.chars().last().ok_or("the duration is empty")?;
    let number: i64 = unsigned[..unsigned.len() - unit.len_utf8()]
        .parse()
        .map_err(|_| "the amount is not a whole number")?;
    let seconds = match unit {
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return Err("the unit must be d, h, m or s".into()),
    };
    number
        .checked_mul(seconds * sign)
        .and_then(TimeDelta::try_seconds)
        .ok_or_else(|| "out of range".into())
}

impl fmt::Display for TimeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::At(at) => f.write_str(&at.to_rfc3339_opts(SecondsFormat::Secs, true)),
            Self::FromNow(offset) => write!(f, "now{:+}s", offset.num_seconds()),
        }
    }
}

impl Serialize for TimeSpec {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TimeSpec {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// A document that could not be loaded, located in its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}:{line}:{column}: {problem}")]
pub struct FixtureError {
    /// The file (or other source) name.
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub problem: String,
}

/// A problem found after parsing: what is wrong and which value (as written) it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    value: String,
    occurrence: usize,
    message: String,
}

impl Problem {
    /// A problem about the first place `value` is written.
    pub fn at(value: impl fmt::Display, message: impl Into<String>) -> Self {
        Self {
            value: value.to_string(),
            occurrence: 1,
            message: message.into(),
        }
    }

    /// A problem about the second place `value` is written (a second definition).
    pub fn second(value: impl fmt::Display, message: impl Into<String>) -> Self {
        Self {
            occurrence: 2,
            ..Self::at(value, message)
        }
    }

    /// Locates the problem in `text`, the source named `source_name`.
    #[must_use]
    pub fn located(self, source_name: &str, text: &str) -> FixtureError {
        let (line, column) = locate(text, &self.value, self.occurrence);
        FixtureError {
            source_name: source_name.to_owned(),
            line,
            column,
            problem: self.message,
        }
    }
}

/// Resolves `spec` for a document loaded at `now`, or says that `what` is out of range.
pub fn resolve(
    spec: TimeSpec,
    now: DateTime<Utc>,
    about: impl fmt::Display,
    what: &str,
) -> Result<DateTime<Utc>, Problem> {
    spec.resolve(now).ok_or_else(|| {
        Problem::at(
            &about,
            format!("{about}: {what} is out of range (1970-01-01 to 9999-01-01)"),
        )
    })
}

/// Marks `key` as defined, refusing a second definition.
pub fn define<K: Hash + Eq + fmt::Display + Clone, S: BuildHasher>(
    seen: &mut HashSet<K, S>,
    key: &K,
    what: &str,
) -> Result<(), Problem> {
    if seen.insert(key.clone()) {
        Ok(())
    } else {
        Err(Problem::second(
            key,
            format!("{what} {key} is defined twice"),
        ))
    }
}

/// Parses a TOML document; `source_name` is used in error messages.
pub fn parse_toml<T: DeserializeOwned>(source_name: &str, text: &str) -> Result<T, FixtureError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map_or((1, 1), |span| line_and_column(text, span.start));
        FixtureError {
            source_name: source_name.to_owned(),
            line,
            column,
            problem: e.message().trim().to_owned(),
        }
    })
}

/// Parses a JSON document; `source_name` is used in error messages.
pub fn parse_json<T: DeserializeOwned>(source_name: &str, text: &str) -> Result<T, FixtureError> {
    serde_json::from_str(text).map_err(|e| FixtureError {
        source_name: source_name.to_owned(),
        line: e.line(),
        column: e.column(),
        problem: e
            .to_string()
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned(),
    })
}

/// One allocation per distinct text: the manager names and notes that an organization's
/// invitations repeat.
#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>>);

impl Interner {
    /// The shared copy of `text`.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return shared.clone();
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(shared.clone());
        shared
    }
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where the `occurrence`-th quoted `value` stands in `text` (its line start if not found).
fn locate(text: &str, value: &str, occurrence: usize) -> (usize, usize) {
    let quoted = format!("\"{value}\"");
    text.match_indices(&quoted)
        .nth(occurrence.saturating_sub(1))
        .or_else(|| text.match_indices(&quoted).next())
        .map_or((1, 1), |(offset, _)| line_and_column(text, offset))
}

/// An access key as both clouds' sections write it; `A` is the section's checked account id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyDoc<A> {
    /// The key id (AccessKeyId, AK).
    pub id: String,
    /// The secret (AccessKeySecret, SK).
    pub secret: String,
    /// The account it acts for.
    pub account_id: A,
    /// Temporary credentials: the token that must accompany the key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_token: Option<String>,
    /// Temporary credentials: when they expire (emulator clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration: Option<TimeSpec>,
    /// Refuse the key.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

/// A tag of a handshake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagDoc {
    /// Tag key.
    pub key: String,
    /// Tag value.
    pub value: String,
}

/// Tags as written, from the domain's pairs.
#[must_use]
pub fn tag_docs(tags: &[(String, String)]) -> Vec<TagDoc> {
    tags.iter()
        .map(|(key, value)| TagDoc {
            key: key.clone(),
            value: value.clone(),
        })
        .collect()
}

/// The domain's tag pairs.
#[must_use]
pub fn tags(docs: Vec<TagDoc>) -> Vec<(String, String)> {
    docs.into_iter().map(|t| (t.key, t.value)).collect()
}

/// Checks the access keys against the accounts `known` and builds the credentials.
pub fn credentials<A: Copy + fmt::Display + Into<AccountId>>(
    docs: Vec<AccessKeyDoc<A>>,
    known: impl Fn(&AccountId) -> bool,
    now: DateTime<Utc>,
) -> Result<Vec<Credential>, Problem> {
    let mut ids = HashSet::new();
    let mut credentials = Vec::with_capacity(docs.len());
    for doc in docs {
        if doc.id.is_empty() || doc.secret.is_empty() {
            return Err(Problem::at(
                doc.account_id,
                "an access key needs a non-empty id and secret",
            ));
        }
        define(&mut ids, &doc.id, "access key")?;
        let account_id: AccountId = doc.account_id.into();
        if !known(&account_id) {
            return Err(Problem::at(
                doc.account_id,
                format!(
                    "access key {}: account {} is not defined",
                    doc.id, doc.account_id
                ),
            ));
        }
        if doc.security_token.as_deref() == Some("") {
            return Err(Problem::at(
                &doc.id,
                format!("access key {}: security_token is empty", doc.id),
            ));
        }
        let expiration = doc
            .expiration
            .map(|t| resolve(t, now, &doc.id, "expiration"))
            .transpose()?;
        credentials.push(Credential {
            access_key_id: doc.id,
            secret: Secret::new(doc.secret),
            account_id,
            security_token: doc.security_token.map(Secret::new),
            expiration,
            disabled: doc.disabled,
        });
    }
    Ok(credentials)
}

/// The access keys as written, sorted by id; `wrap` gives the section's account id.
#[must_use]
pub fn access_key_docs<A>(
    credentials: &[Credential],
    wrap: fn(AccountId) -> A,
) -> Vec<AccessKeyDoc<A>> {
    let mut docs: Vec<AccessKeyDoc<A>> = credentials
        .iter()
        .map(|c| AccessKeyDoc {
            id: c.access_key_id.clone(),
            secret: c.secret.expose().to_owned(),
            account_id: wrap(c.account_id),
            security_token: c.security_token.as_ref().map(|t| t.expose().to_owned()),
            expiration: c.expiration.map(TimeSpec::At),
            disabled: c.disabled,
        })
        .collect();
    docs.sort_by(|a, b| a.id.cmp(&b.id));
    docs
}

/// Makes each organization's management account a member of it; `names` are the section's
/// words for them (`("resource directory", "master account")`).
pub fn join_managers<S: BuildHasher>(
    accounts: &mut [Account],
    organizations: &HashMap<OrganizationId, AccountId, S>,
    (organization_word, manager_word): (&str, &str),
) -> Result<(), Problem> {
    let index: HashMap<AccountId, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id, i))
        .collect();
    for (organization, manager) in organizations {
        let Some(&at) = index.get(manager) else {
            return Err(Problem::at(
                manager,
                format!(
                    "{organization_word} {organization}: {manager_word} {manager} is not defined"
                ),
            ));
        };
        let account = &mut accounts[at];
        match account.organization {
            None => account.organization = Some(*organization),
            Some(own) if own == *organization => {}
            Some(other) => {
                return Err(Problem::at(
                    manager,
                    format!("account {manager} manages {organization} but is a member of {other}"),
                ));
            }
        }
    }
    Ok(())
}

/// An id newtype for a section's documents: deserializing checks the cloud's shape of the id,
/// so a bad id is reported where it is written.
macro_rules! doc_id {
    ($(#[$meta:meta])* $name:ident($inner:ty) = $parse:path) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(pub $inner);

        impl TryFrom<String> for $name {
            type Error = $crate::domain::InvalidId;
            fn try_from(text: String) -> Result<Self, $crate::domain::InvalidId> {
                $parse(&text).map(Self)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0.as_str().to_owned()
            }
        }

        impl From<$name> for $inner {
            fn from(id: $name) -> $inner {
                id.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub(crate) use doc_id;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
    }

    #[test]
    fn relative_times_resolve_against_the_load_time() {
        assert_eq!(
            TimeSpec::parse("now-20d").unwrap().resolve(now()),
            Some(now() - TimeDelta::days(20))
        );
        assert_eq!(
            TimeSpec::parse("now+90m").unwrap().resolve(now()),
            Some(now() + TimeDelta::minutes(90))
        );
        assert_eq!(TimeSpec::parse("now").unwrap().resolve(now()), Some(now()));
        assert!(TimeSpec::parse("now-20w").is_err());
        assert!(TimeSpec::parse("nowish").is_err());
        assert!(TimeSpec::parse("yesterday").is_err());
        assert_eq!(parse_duration("14d"), Ok(TimeDelta::days(14)));
        assert_eq!(parse_duration("-90m"), Ok(TimeDelta::minutes(-90)));
        assert!(
            parse_duration("").is_err()
                && parse_duration("d").is_err()
                && parse_duration("3w").is_err()
        );
    }

    #[test]
    fn a_time_beyond_the_calendar_does_not_resolve() {
        let far = TimeSpec::parse("now+100000000d").unwrap();
        assert_eq!(far.resolve(now()), None);
        let problem = resolve(far, now(), "h-x", "create_time").unwrap_err();
        assert!(problem.message.contains("out of range"), "{problem:?}");
        assert!(parse_duration("99999999999999999d").is_err());
        let five_digits = TimeSpec::parse("9999-06-01T00:00:00Z").unwrap();
        assert_eq!(five_digits.resolve(now()), None);
    }
}
