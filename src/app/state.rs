//! The shared state, built once outside the server's per-worker factory: one store per cloud,
//! the clocks, and the control plane's fault rules and journal, shared by every facade. It also
//! gives the control plane its [`Backend`]: counts, reset, export and import over both worlds.

use super::world::{WorldDoc, Worlds};
use crate::clock::ClockSetting;
use crate::clock::{Clock, EmulatorClock, SystemClock};
use crate::control::faults::{FaultSpec, Faults};
use crate::control::http::ControlState;
use crate::control::journal::{self, Journal, JournalEntry};
use crate::control::{Backend, Catalog, Cloud, Dialect};
use crate::control::{CLOCK_SETTING, FAULTS_SETTING};
use crate::domain::{Counts, Secret};
use crate::facade::alibaba::nonce::{NonceCache, NonceLog};
use crate::facade::alibaba::{self, Gateway};
use crate::facade::huawei;
use crate::facade::presign::{self, AlibabaForm, Presign};
use crate::store::sqlite::Database;
use crate::store::{MemoryStore, Store};
use actix_web::web;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The deadlines and memory caps the server is built with (README: Reliability and limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Each phase of reading a request: its head, then its body.
    pub read_timeout: Duration,
    /// How long an idle keep-alive connection stays open (zero: one request per connection).
    pub keep_alive: Duration,
    /// Bytes the used-nonce cache may take.
    pub nonce_memory: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            read_timeout: Duration::from_secs(10),
            keep_alive: Duration::from_secs(5),
            nonce_memory: alibaba::nonce::DEFAULT_MEMORY_MIB << 20,
        }
    }
}

/// What every worker serves from: each facade's state and the control plane's.
#[derive(Clone)]
pub struct AppState {
    /// The Alibaba RPC gateway.
    pub alibaba: web::Data<Gateway>,
    /// The Huawei Organizations endpoint.
    pub huawei: web::Data<huawei::Gateway>,
    /// The control plane.
    pub control: web::Data<ControlState>,
    /// What the server enforces below the facades.
    pub limits: Limits,
}

/// How to build an [`AppState`].
pub struct Builder {
    alibaba: Arc<dyn Store>,
    huawei: Arc<dyn Store>,
    clock: Arc<EmulatorClock>,
    wall_clock: Arc<dyn Clock>,
    admin_token: Option<String>,
    journal_size: usize,
    database: Option<Arc<Database>>,
    limits: Limits,
}

impl Builder {
    /// Keeps the control plane's lasting settings (clock, fault rules) in `database`, and starts
    /// from those it holds.
    #[must_use]
    pub fn database(mut self, database: Arc<Database>) -> Self {
        self.database = Some(database);
        self
    }

    /// The emulator clock (handshake times, expiry) and the wall clock (signature windows).
    #[must_use]
    pub fn clocks(mut self, clock: Arc<EmulatorClock>, wall_clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self.wall_clock = wall_clock;
        self
    }

    /// Requires `token` on every control-plane call.
    #[must_use]
    pub fn admin_token(mut self, token: Option<String>) -> Self {
        self.admin_token = token;
        self
    }

    /// Keeps the last `size` requests in the journal (0: none).
    #[must_use]
    pub fn journal_size(mut self, size: usize) -> Self {
        self.journal_size = size;
        self
    }

    /// The deadlines and memory caps.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// The used-nonce cache: in memory, or kept in the database with the digest key it was made
    /// with (so a replay across a restart is still refused).
    fn nonces(&self) -> NonceCache {
        let cache = NonceCache::with_capacity(
            usize::try_from(self.limits.nonce_memory).unwrap_or(usize::MAX),
        );
        let Some(database) = &self.database else {
            return cache;
        };
        let stored_key = database
            .setting(NONCE_KEY_SETTING)
            .ok()
            .flatten()
            .and_then(|text| hex::decode(text.trim_matches('"')).ok())
            .and_then(|bytes| <[u8; 16]>::try_from(bytes).ok());
        let key = stored_key.unwrap_or_else(|| {
            let key = cache.key();
            if let Err(error) = database.save_setting(NONCE_KEY_SETTING, hex::encode(key)) {
                tracing::warn!(target: "store", "cannot keep the nonce key: {error}");
            }
            key
        });
        let now = self.wall_clock.now();
        let remembered = database.nonces(now.timestamp()).unwrap_or_else(|error| {
            tracing::warn!(target: "store", "cannot read the kept nonces: {error}");
            Vec::new()
        });
        cache.durable(key, Arc::new(KeptNonces(database.clone())), remembered, now)
    }

    /// The state, with each world in a memory store.
    #[must_use]
    pub fn build(self) -> AppState {
        let faults = Arc::new(Faults::default());
        let journal = Arc::new(Journal::new(self.journal_size));
        let nonces = self.nonces();
        let alibaba = web::Data::new(Gateway {
            store: self.alibaba,
            clock: self.clock.clone(),
            wall_clock: self.wall_clock.clone(),
            nonces,
            faults: faults.clone(),
            journal: journal.clone(),
            read_timeout: self.limits.read_timeout,
        });
        let huawei = web::Data::new(huawei::Gateway {
            store: self.huawei,
            clock: self.clock.clone(),
            wall_clock: self.wall_clock,
            faults: faults.clone(),
            journal: journal.clone(),
            read_timeout: self.limits.read_timeout,
        });
        let backend = Arc::new(Backing {
            alibaba: alibaba.clone(),
            huawei: huawei.store.clone(),
            clock: self.clock.clone(),
            database: self.database,
        });
        backend.restore(&faults);
        let control = web::Data::new(ControlState {
            backend,
            clock: self.clock,
            faults,
            journal,
            admin_token: self.admin_token,
            started: Instant::now(),
            read_timeout: self.limits.read_timeout,
            uploading: std::sync::atomic::AtomicBool::new(false),
        });
        AppState {
            alibaba,
            huawei,
            control,
            limits: self.limits,
        }
    }
}

impl AppState {
    /// A builder over `worlds`, each in a memory store: the emulator clock follows system time,
    /// the journal keeps the default number of requests, and the control plane needs no token.
    #[must_use]
    pub fn builder(worlds: Worlds) -> Builder {
        Self::builder_with(
            Arc::new(MemoryStore::new(worlds.alibaba)),
            Arc::new(MemoryStore::new(worlds.huawei)),
        )
    }

    /// A builder over the given stores (the durable ones of `--data-dir`).
    #[must_use]
    pub fn builder_with(alibaba: Arc<dyn Store>, huawei: Arc<dyn Store>) -> Builder {
        Builder {
            alibaba,
            huawei,
            clock: Arc::new(EmulatorClock::system()),
            wall_clock: Arc::new(SystemClock),
            admin_token: None,
            journal_size: journal::DEFAULT_CAPACITY,
            database: None,
            limits: Limits::default(),
        }
    }

    /// The store holding `cloud`'s world.
    #[must_use]
    pub fn store(&self, cloud: Cloud) -> &Arc<dyn Store> {
        match cloud {
            Cloud::Alibaba => &self.alibaba.store,
            Cloud::Huawei => &self.huawei.store,
        }
    }
}

/// The setting that holds the nonce digests' key.
const NONCE_KEY_SETTING: &str = "nonce_key";

/// The database keeping the used nonces.
struct KeptNonces(Arc<Database>);

impl NonceLog for KeptNonces {
    fn remember(&self, digest: u64, until: i64) -> Result<(), String> {
        self.0.save_nonce(digest, until).map_err(|e| e.0)
    }
}

/// The control plane's view of the worlds.
struct Backing {
    alibaba: web::Data<Gateway>,
    huawei: Arc<dyn Store>,
    clock: Arc<EmulatorClock>,
    database: Option<Arc<Database>>,
}

impl Backing {
    /// Sets the clock and the fault rules as the database last kept them. A setting that no
    /// longer reads (an older or edited file) is reported and left out, never fatal.
    fn restore(&self, faults: &Faults) {
        let Some(database) = &self.database else {
            return;
        };
        let read = |key: &str| match database.setting(key) {
            Ok(value) => value,
            Err(error) => {
                tracing::warn!(target: "store", "cannot read the {key} setting: {error}");
                None
            }
        };
        if let Some(text) = read(CLOCK_SETTING) {
            let restored = serde_json::from_str::<ClockSetting>(&text)
                .map_err(|e| e.to_string())
                .and_then(|setting| self.clock.restore(setting).map_err(|e| e.to_string()));
            if let Err(error) = restored {
                tracing::warn!(target: "store", "the stored clock setting was not restored: {error}");
            }
        }
        if let Some(text) = read(FAULTS_SETTING) {
            match serde_json::from_str::<Vec<FaultSpec>>(&text) {
                Ok(specs) => {
                    for spec in specs {
                        let catalog = self.catalog(spec.cloud);
                        if let Err(error) = faults.add(spec, catalog) {
                            tracing::warn!(target: "store", "a stored fault rule was not restored: {error}");
                        }
                    }
                }
                Err(error) => {
                    tracing::warn!(target: "store", "the stored fault rules were not restored: {error}");
                }
            }
        }
    }

    fn stores(&self) -> [&Arc<dyn Store>; 2] {
        [&self.alibaba.store, &self.huawei]
    }
}

/// Parameters of the Alibaba protocol rather than of the action: a re-signed request gets new
/// ones.
const ALIBABA_PROTOCOL: [&str; 10] = [
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Signature",
    "SecurityToken",
];

fn count(store: &Arc<dyn Store>) -> Counts {
    store.query(|view| view.counts())
}

impl Backend for Backing {
    /// Alibaba's counts with their historical names at the top, Huawei's under `huawei`.
    fn counts(&self) -> Value {
        let (alibaba, huawei) = (count(&self.alibaba.store), count(&self.huawei));
        json!({
            "resource_directories": alibaba.organizations,
            "accounts": alibaba.accounts,
            "access_keys": alibaba.access_keys,
            "handshakes": alibaba.handshakes,
            "huawei": {
                "organizations": huawei.organizations,
                "accounts": huawei.accounts,
                "access_keys": huawei.access_keys,
                "handshakes": huawei.handshakes,
            },
        })
    }

    fn reset(&self) -> Result<(), String> {
        for store in self.stores() {
            store.reset().map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn export(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        let worlds = Worlds {
            alibaba: self.alibaba.store.export(),
            huawei: self.huawei.export(),
        };
        serde_json::to_writer(out, &WorldDoc::from_worlds(&worlds)).map_err(std::io::Error::from)
    }

    fn import(&self, text: &str, toml: bool) -> Result<(), String> {
        let now = self.clock.now();
        let worlds = if toml {
            WorldDoc::load_toml("state", text, now)
        } else {
            WorldDoc::load_json("state", text, now)
        }
        .map_err(|e| e.to_string())?;
        self.alibaba
            .store
            .replace(worlds.alibaba)
            .and_then(|()| self.huawei.replace(worlds.huawei))
            .map_err(|e| e.to_string())
    }

    fn save_setting(&self, key: &'static str, value: Value) -> Result<(), String> {
        match &self.database {
            Some(database) => database
                .save_setting(key, value.to_string())
                .map_err(|e| e.to_string()),
            None => Ok(()),
        }
    }

    fn nonces(&self) -> Value {
        let nonces = &self.alibaba.nonces;
        json!({ "count": nonces.len(), "bytes": nonces.memory(), "capacity_bytes": nonces.capacity() })
    }

    fn store(&self, cloud: Cloud) -> Arc<dyn Store> {
        match cloud {
            Cloud::Alibaba => self.alibaba.store.clone(),
            Cloud::Huawei => self.huawei.clone(),
        }
    }

    fn dialect(&self, cloud: Cloud) -> Dialect {
        match cloud {
            Cloud::Alibaba => Dialect {
                status: alibaba::policy::status,
                target_type: alibaba::policy::target_type,
                retention: alibaba::policy::POLICY.retention,
            },
            Cloud::Huawei => Dialect {
                status: huawei::policy::status,
                target_type: huawei::policy::target_type,
                retention: huawei::policy::POLICY.retention,
            },
        }
    }

    fn curl(&self, entry: &JournalEntry, endpoint: &str) -> Result<String, String> {
        let action = entry
            .action
            .ok_or("the request named no action the emulator serves")?;
        let key = entry
            .access_key_id
            .as_deref()
            .ok_or("the request carried no access key id")?;
        let credential = self
            .store(entry.cloud)
            .query(|view| view.credential(key))
            .ok_or_else(|| format!("access key {key} is not in the world"))?;
        let account = credential.account_id.to_string();
        let mut request = Presign {
            endpoint,
            action,
            params: Vec::new(),
            access_key_id: key,
            secret: credential.secret.expose(),
            security_token: credential.security_token.as_ref().map(Secret::expose),
            account_id: Some(&account),
            now: self.alibaba.wall_clock.now(),
        };
        let parameters = entry
            .parameters
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()));
        match entry.cloud {
            Cloud::Alibaba => {
                request.params = parameters
                    .filter(|(name, _)| !ALIBABA_PROTOCOL.contains(name))
                    .collect();
                let format = entry
                    .parameters
                    .get("Format")
                    .map_or("JSON", String::as_str);
                let form = if entry.method == "GET" {
                    AlibabaForm::CurlGet
                } else {
                    AlibabaForm::CurlPost
                };
                Ok(presign::alibaba(&request, format, form))
            }
            Cloud::Huawei if action == "InviteAccount" => Err(
                "the journal keeps no request bodies, so an InviteAccount cannot be signed again: \
                 use `resourcemanager-emulator sign --cloud huawei InviteAccount body='{…}'`"
                    .into(),
            ),
            Cloud::Huawei => {
                request.params = parameters.collect();
                presign::huawei(&request)
            }
        }
    }

    fn catalog(&self, cloud: Cloud) -> Catalog {
        match cloud {
            Cloud::Alibaba => Catalog {
                operations: alibaba::actions::Action::NAMES,
                code: alibaba::catalog::ErrorCode::for_fault,
            },
            Cloud::Huawei => Catalog {
                operations: huawei::route::Operation::NAMES,
                code: huawei::catalog::ErrorCode::for_fault,
            },
        }
    }
}
