//! The world document: one file (TOML, or JSON for large generated worlds and the control plane)
//! with a section per cloud. Alibaba's tables stand at the top level (`resource_directories`,
//! `accounts`, `access_keys`, `handshakes`), as they always have; Huawei's are under `[huawei]`.
//! The two worlds are separate: an Alibaba account is not a Huawei account. Loading checks every
//! id and every cross-reference, and a problem is reported with the file, line and column it
//! stands on.

use crate::facade::alibaba::world::AlibabaDoc;
use crate::facade::huawei::world::HuaweiDoc;
use crate::store::World;
use crate::store::document::{FixtureError, parse_json, parse_toml};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The default world, compiled into the binary.
pub const DEFAULT_WORLD: &str = include_str!("../../fixtures/default.toml");
/// How the default world is named in messages.
pub const DEFAULT_WORLD_NAME: &str = "fixtures/default.toml (embedded)";

/// The worlds of both clouds, as data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Worlds {
    /// Alibaba Cloud Resource Manager's.
    pub alibaba: World,
    /// Huawei Cloud Organizations'.
    pub huawei: World,
}

/// A whole world document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorldDoc {
    /// Alibaba: resource directories.
    #[serde(default)]
    pub resource_directories: Vec<crate::facade::alibaba::world::DirectoryDoc>,
    /// Alibaba: accounts.
    #[serde(default)]
    pub accounts: Vec<crate::facade::alibaba::world::AccountDoc>,
    /// Alibaba: access keys (permanent and STS).
    #[serde(default)]
    pub access_keys: Vec<crate::facade::alibaba::world::AccessKeyDoc>,
    /// Alibaba: handshakes.
    #[serde(default)]
    pub handshakes: Vec<crate::facade::alibaba::world::HandshakeDoc>,
    /// Huawei's section.
    #[serde(default, skip_serializing_if = "HuaweiDoc::is_empty")]
    pub huawei: HuaweiDoc,
}

impl WorldDoc {
    fn split(self) -> (AlibabaDoc, HuaweiDoc) {
        let alibaba = AlibabaDoc {
            resource_directories: self.resource_directories,
            accounts: self.accounts,
            access_keys: self.access_keys,
            handshakes: self.handshakes,
        };
        (alibaba, self.huawei)
    }

    fn join(alibaba: AlibabaDoc, huawei: HuaweiDoc) -> Self {
        Self {
            resource_directories: alibaba.resource_directories,
            accounts: alibaba.accounts,
            access_keys: alibaba.access_keys,
            handshakes: alibaba.handshakes,
            huawei,
        }
    }

    /// The document describing `worlds`, with absolute times.
    #[must_use]
    pub fn from_worlds(worlds: &Worlds) -> Self {
        Self::join(
            AlibabaDoc::from_world(&worlds.alibaba),
            HuaweiDoc::from_world(&worlds.huawei),
        )
    }

    /// A generated world for benchmarks: `handshakes` invitations in Alibaba's world, in
    /// Huawei's, or in both (see [`crate::facade::alibaba::world::generate`] and
    /// [`crate::facade::huawei::world::generate`]).
    #[must_use]
    pub fn generate(handshakes: usize, accounts: bool, alibaba: bool, huawei: bool) -> Self {
        Self::join(
            if alibaba {
                crate::facade::alibaba::world::generate(handshakes, accounts)
            } else {
                AlibabaDoc::default()
            },
            if huawei {
                crate::facade::huawei::world::generate(handshakes, accounts)
            } else {
                HuaweiDoc::default()
            },
        )
    }

    /// The document as TOML.
    #[must_use]
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_default()
    }

    /// Checks the document and builds the worlds; `text` is the source the document was parsed
    /// from, to locate problems in.
    pub fn into_worlds(
        self,
        source_name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Worlds, FixtureError> {
        let (alibaba, huawei) = self.split();
        let locate = |p: crate::store::document::Problem| p.located(source_name, text);
        Ok(Worlds {
            alibaba: alibaba.into_world(now).map_err(locate)?,
            huawei: huawei.into_world(now).map_err(locate)?,
        })
    }

    /// Loads a TOML document, resolving relative times against `now`.
    pub fn load_toml(
        source_name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Worlds, FixtureError> {
        parse_toml::<Self>(source_name, text)?.into_worlds(source_name, text, now)
    }

    /// Loads a JSON document (the control plane's state import).
    pub fn load_json(
        source_name: &str,
        text: &str,
        now: DateTime<Utc>,
    ) -> Result<Worlds, FixtureError> {
        parse_json::<Self>(source_name, text)?.into_worlds(source_name, text, now)
    }
}

/// Loads the worlds from `path` (TOML, or JSON if it ends in `.json`), or the embedded default
/// world, as of `now`.
pub fn load_world(path: Option<&Path>, now: DateTime<Utc>) -> Result<Worlds, FixtureError> {
    match path {
        None => WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, now),
        Some(path) => {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|e| FixtureError {
                source_name: name.clone(),
                line: 1,
                column: 1,
                problem: format!("cannot read the file: {e}"),
            })?;
            // Large generated worlds are JSON: it parses several times faster than TOML.
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("json"))
            {
                WorldDoc::load_json(&name, &text, now)
            } else {
                WorldDoc::load_toml(&name, &text, now)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{HandshakeId, Status};
    use chrono::{TimeDelta, TimeZone};

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 22, 8, 0, 0).unwrap()
    }

    #[test]
    fn the_default_world_loads_and_an_old_pending_invitation_shows_as_expired() {
        let worlds = WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, now()).unwrap();
        let id = HandshakeId::parse("h-Exp1redAlready10").unwrap();
        let expired = worlds
            .alibaba
            .handshakes
            .iter()
            .find(|h| h.id == id)
            .unwrap();
        assert_eq!(expired.status, Status::Pending, "expiry is never stored");
        let shown = expired.as_of(now());
        assert_eq!(shown.status, Status::Expired);
        assert_eq!(shown.modified, shown.expires);
    }

    #[test]
    fn a_malformed_document_is_reported_with_its_line() {
        let text = "[[accounts]]\nid = \"1234\"\nname = \"x\"\n";
        let err = WorldDoc::load_toml("w.toml", text, now()).unwrap_err();
        assert_eq!((err.source_name.as_str(), err.line), ("w.toml", 2));
        assert!(
            err.problem.contains("invalid account id"),
            "{}",
            err.problem
        );
    }

    #[test]
    fn a_dangling_reference_is_reported_where_it_is_written() {
        let text =
            "[[access_keys]]\nid = \"AK\"\nsecret = \"S\"\naccount_id = \"1234567890123456\"\n";
        let err = WorldDoc::load_toml("w.toml", text, now()).unwrap_err();
        assert_eq!(err.line, 4);
        assert!(err.problem.contains("is not defined"), "{}", err.problem);
    }

    #[test]
    fn a_duplicate_is_reported_at_its_second_definition() {
        let account = "[[accounts]]\nid = \"1234567890123456\"\nname = \"x\"\nlogon_email = \"x@example.com\"\ntype = \"enterprise\"\nreal_name_type = \"enterprise\"\n";
        let text = format!("{account}{}", account.replace("x@", "y@"));
        let err = WorldDoc::load_toml("w.toml", &text, now()).unwrap_err();
        assert_eq!(err.line, 8);
        assert!(err.problem.contains("defined twice"), "{}", err.problem);
    }

    #[test]
    fn an_exported_world_loads_back_unchanged_from_json_and_toml() {
        let worlds = WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, now()).unwrap();
        let doc = WorldDoc::from_worlds(&worlds);
        let json = serde_json::to_string_pretty(&doc).unwrap();
        let later = now() + TimeDelta::hours(1);
        let from_json = WorldDoc::load_json("state", &json, later).unwrap();
        assert_eq!(WorldDoc::from_worlds(&from_json), doc);
        let from_toml = WorldDoc::load_toml("export.toml", &doc.to_toml(), later).unwrap();
        assert_eq!(WorldDoc::from_worlds(&from_toml), doc);
        let err = WorldDoc::load_json("state", "{\n  \"accounts\": 5\n}", now()).unwrap_err();
        assert_eq!((err.line, err.source_name.as_str()), (2, "state"));
    }

    #[test]
    fn a_generated_world_loads_with_one_account_and_key_per_invitation() {
        let doc = WorldDoc::generate(3, true, true, true);
        let text = serde_json::to_string(&doc).unwrap();
        let worlds = WorldDoc::load_json("generated", &text, now()).unwrap();
        for world in [&worlds.alibaba, &worlds.huawei] {
            let counts = (
                world.handshakes.len(),
                world.accounts.len(),
                world.credentials.len(),
            );
            assert_eq!(counts, (3, 4, 4));
        }
        let (emails, names) = WorldDoc::generate(5, false, true, false).split();
        assert_eq!((emails.handshakes.len(), emails.accounts.len()), (5, 1));
        assert!(names.is_empty());
    }
}
