//! The start-up banner: where to connect and with which keys. Its first line,
//! `resourcemanager-emulator <version> listening at http://HOST:PORT`, is what harnesses wait for.

use crate::app::Worlds;
use std::collections::HashMap;

/// How many access keys the banner lists.
const SHOWN: usize = 12;

/// What the banner says about the worlds, gathered before they move into the stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    world_line: String,
    keys: Vec<String>,
}

impl Banner {
    /// Gathers the counts and the first access keys (by id) of `worlds`, loaded from `name`.
    #[must_use]
    pub fn new(worlds: &Worlds, name: &str) -> Self {
        let world = &worlds.alibaba;
        let names: HashMap<_, _> = world
            .accounts
            .iter()
            .map(|a| (a.id, a.name.as_str()))
            .collect();
        let mut credentials: Vec<_> = world.credentials.iter().collect();
        credentials.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));
        let mut keys: Vec<String> = credentials
            .iter()
            .take(SHOWN)
            .map(|c| {
                format!(
                    "    {} / {}  account {} ({}){}{}",
                    c.access_key_id,
                    c.secret.expose(),
                    c.account_id,
                    names.get(&c.account_id).copied().unwrap_or_default(),
                    c.security_token
                        .as_ref()
                        .map(|t| format!(", SecurityToken {}", t.expose()))
                        .unwrap_or_default(),
                    if c.disabled { ", disabled" } else { "" },
                )
            })
            .collect();
        if credentials.len() > SHOWN {
            keys.push(format!("    … and {} more", credentials.len() - SHOWN));
        }
        Self {
            world_line: format!(
                "  world: {name}: {} resource directories, {} accounts, {} access keys, {} handshakes",
                world.organizations.len(),
                world.accounts.len(),
                world.credentials.len(),
                world.handshakes.len()
            ),
            keys,
        }
    }

    /// The banner for a server listening on `host:port`.
    #[must_use]
    pub fn render(&self, host: &str, port: u16) -> String {
        let endpoint = format!("http://{host}:{port}");
        let mut out = format!(
            "resourcemanager-emulator {} listening at {endpoint}\n{}\n  access keys:\n",
            env!("CARGO_PKG_VERSION"),
            self.world_line
        );
        for line in &self.keys {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str(&format!(
            "  python: Config(access_key_id='LTAI5tEmuInvitee00001', access_key_secret='EmuInviteeSecret00001', endpoint='{host}:{port}', protocol='http')\n  curl:   curl -sS \"$(resourcemanager-emulator sign --endpoint {endpoint} AcceptHandshake HandshakeId=h-Ih8IuPfvV0t0abcd)\"\n"
        ));
        out
    }
}
