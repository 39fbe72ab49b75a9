//! The control plane: what tests and operators use to drive the emulator, for both clouds. Fault
//! rules and the request journal are kept here and consulted by every facade; they are keyed by
//! (cloud, operation), since both clouds have an `AcceptHandshake`. The HTTP endpoints under
//! `/_emulator/` reach the worlds through [`Backend`], which the application implements: the
//! control plane knows no facade. The console (`/_emulator/ui`) is a page over the same
//! endpoints and a few read-only ones of its own.

pub mod console;
pub mod faults;
pub mod http;
pub mod journal;

use crate::domain::{Status, TargetKind};
use crate::store::Store;
use chrono::TimeDelta;
use journal::JournalEntry;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

/// The clouds the emulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Cloud {
    /// Alibaba Cloud Resource Manager (RPC on `/`).
    #[default]
    Alibaba,
    /// Huawei Cloud Organizations (REST under `/v1/`).
    Huawei,
}

impl Cloud {
    /// Every cloud.
    pub const ALL: [Cloud; 2] = [Cloud::Alibaba, Cloud::Huawei];

    /// The name used in documents, journal entries and fault rules.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Alibaba => "alibaba",
            Self::Huawei => "huawei",
        }
    }
}

impl fmt::Display for Cloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a cloud's facade tells the control plane about itself, so fault rules can be checked.
#[derive(Debug, Clone, Copy)]
pub struct Catalog {
    /// The operations it serves (wire names).
    pub operations: &'static [&'static str],
    /// The canonical name of an error code as a fault rule may give it, and whether it is a
    /// throttling code (which carries a retry-after); `None` if the catalog has no such code.
    pub code: fn(&str) -> Option<(&'static str, bool)>,
}

/// How a cloud spells and keeps what the console shows: its facade's wire names and policy, as
/// the control plane may see them without importing the facade.
#[derive(Debug, Clone, Copy)]
pub struct Dialect {
    /// A status as the cloud's API spells it.
    pub status: fn(Status) -> &'static str,
    /// A target type as the cloud's API spells it.
    pub target_type: fn(TargetKind) -> &'static str,
    /// How long a finished invitation stays visible to the API (`None`: for ever).
    pub retention: Option<TimeDelta>,
}

/// The worlds, as the control plane reaches them.
pub trait Backend: Send + Sync {
    /// The counts shown by health, reset and import.
    fn counts(&self) -> serde_json::Value;
    /// Puts every world back as loaded at start.
    fn reset(&self) -> Result<(), String>;
    /// Writes the whole state to `out` as a JSON world document.
    fn export(&self, out: &mut dyn std::io::Write) -> std::io::Result<()>;
    /// Replaces every world with the document `text` (TOML if `toml`, else JSON), or says why
    /// not; on refusal nothing changes.
    fn import(&self, text: &str, toml: bool) -> Result<(), String>;
    /// The used-nonce cache: how many nonces it remembers, the bytes it takes and may take.
    fn nonces(&self) -> serde_json::Value;
    /// What `cloud`'s facade serves.
    fn catalog(&self, cloud: Cloud) -> Catalog;
    /// Keeps a lasting setting (`clock`, `faults`) where a durable store keeps the worlds; a
    /// memory-only emulator keeps nothing.
    fn save_setting(&self, key: &'static str, value: serde_json::Value) -> Result<(), String>;
    /// `cloud`'s world, which the console browses (it changes worlds only through reset and
    /// import, like the rest of the control plane).
    fn store(&self, cloud: Cloud) -> Arc<dyn Store>;
    /// How `cloud` spells statuses and target types, and how long it keeps finished invitations.
    fn dialect(&self, cloud: Cloud) -> Dialect;
    /// A curl command that sends `entry`'s request again to `endpoint`, signed afresh (new
    /// timestamp and nonce) with its key as the world holds it; or why it cannot be made.
    fn curl(&self, entry: &JournalEntry, endpoint: &str) -> Result<String, String>;
}

/// The key of the clock's setting.
pub const CLOCK_SETTING: &str = "clock";
/// The key of the fault rules' setting.
pub const FAULTS_SETTING: &str = "faults";
