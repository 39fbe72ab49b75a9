//! `--data-dir`: opening the durable stores. A directory without a world is seeded from
//! `--fixtures` or the embedded world; a directory with one is reopened as it is, and refuses
//! `--fixtures` unless `--replace-data` says to replace it. Nothing is overwritten that could
//! not be read.

use super::world::{Worlds, load_world};
use crate::control::Cloud;
use crate::store::sqlite::{Database, Opened, Sync};
use crate::store::{DurableStore, Store, StoreError};
use chrono::{DateTime, Utc};
use std::path::Path;
use std::sync::Arc;

/// The two clouds' stores: Alibaba's, then Huawei's.
pub type Stores = (Arc<dyn Store>, Arc<dyn Store>);

/// An opened data directory, its worlds read, ready to become stores.
pub struct Prepared {
    /// The database.
    pub database: Arc<Database>,
    /// The worlds the stores will hold.
    pub worlds: Worlds,
    /// Whether the worlds must be written as the directory's new seed.
    pub seed: bool,
    /// What happened, for the banner (`reopened`, `seeded from …`).
    pub how: String,
}

/// Opens `directory`, loading the worlds there or, for a new directory (or with `replace`), the
/// worlds of `fixtures` (the embedded world if `None`) as of `now`.
pub fn prepare(
    directory: &Path,
    sync: Sync,
    fixtures: Option<&Path>,
    fixtures_name: &str,
    replace: bool,
    now: DateTime<Utc>,
) -> Result<Prepared, String> {
    let (database, opened) = Database::open(directory, sync).map_err(|e| e.0)?;
    let database = Arc::new(database);
    let seed_from = |how: String| -> Result<Prepared, String> {
        let worlds = load_world(fixtures, now).map_err(|e| e.to_string())?;
        Ok(Prepared {
            database: database.clone(),
            worlds,
            seed: true,
            how,
        })
    };
    match (opened, fixtures.is_some(), replace) {
        (Opened::Empty, _, _) => seed_from(format!("new, seeded from {fixtures_name}")),
        (Opened::Existing, _, true) => seed_from(format!("replaced by {fixtures_name}")),
        (Opened::Existing, true, false) => Err(format!(
            "the data directory {} already holds a world; pass --replace-data to replace it with {fixtures_name}, or leave out --fixtures to reopen it",
            directory.display()
        )),
        (Opened::Existing, false, false) => {
            let load = |cloud: Cloud| database.load(cloud.as_str()).map_err(|e| e.0);
            let worlds = Worlds {
                alibaba: load(Cloud::Alibaba)?,
                huawei: load(Cloud::Huawei)?,
            };
            Ok(Prepared {
                database: database.clone(),
                worlds,
                seed: false,
                how: "reopened".into(),
            })
        }
    }
}

impl Prepared {
    /// The two clouds' durable stores (seeding the directory first if it must be).
    pub fn into_stores(self) -> Result<Stores, StoreError> {
        let Worlds { alibaba, huawei } = self.worlds;
        let store = |cloud: Cloud, world| -> Result<Arc<dyn Store>, StoreError> {
            let realm = cloud.as_str();
            Ok(Arc::new(if self.seed {
                DurableStore::seed(self.database.clone(), realm, world)?
            } else {
                DurableStore::loaded(self.database.clone(), realm, world)
            }))
        };
        Ok((
            store(Cloud::Alibaba, alibaba)?,
            store(Cloud::Huawei, huawei)?,
        ))
    }
}
