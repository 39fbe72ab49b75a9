//! The start-up banner: where to connect and with which keys, for both clouds. Its first line,
//! `resourcemanager-emulator <version> listening at http://HOST:PORT`, is what harnesses wait for.

use crate::app::Worlds;
use crate::store::World;
use std::collections::HashMap;

/// How many access keys the banner lists per cloud.
const SHOWN: usize = 12;

/// What the banner says about the worlds, gathered before they move into the stores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Banner {
    world_line: String,
    huawei_line: String,
    alibaba_keys: Vec<String>,
    huawei_keys: Vec<String>,
}

/// The first access keys of `world` (by id), one line each, with the account they act for.
fn keys(world: &World, token: &str) -> Vec<String> {
    let names: HashMap<_, _> = world
        .accounts
        .iter()
        .map(|a| (a.id, a.name.as_str()))
        .collect();
    let mut credentials: Vec<_> = world.credentials.iter().collect();
    credentials.sort_by(|a, b| a.access_key_id.cmp(&b.access_key_id));
    let mut lines: Vec<String> = credentials
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
                    .map(|t| format!(", {token} {}", t.expose()))
                    .unwrap_or_default(),
                if c.disabled { ", disabled" } else { "" },
            )
        })
        .collect();
    if credentials.len() > SHOWN {
        lines.push(format!("    … and {} more", credentials.len() - SHOWN));
    }
    lines
}

impl Banner {
    /// Gathers the counts and the first access keys of `worlds`, loaded from `name`.
    #[must_use]
    pub fn new(worlds: &Worlds, name: &str) -> Self {
        let (alibaba, huawei) = (&worlds.alibaba, &worlds.huawei);
        Self {
            world_line: format!(
                "  world: {name}: {} resource directories, {} accounts, {} access keys, {} handshakes",
                alibaba.organizations.len(),
                alibaba.accounts.len(),
                alibaba.credentials.len(),
                alibaba.handshakes.len()
            ),
            huawei_line: format!(
                "  huawei world: {} organizations, {} accounts, {} access keys, {} handshakes",
                huawei.organizations.len(),
                huawei.accounts.len(),
                huawei.credentials.len(),
                huawei.handshakes.len()
            ),
            alibaba_keys: keys(alibaba, "SecurityToken"),
            huawei_keys: keys(huawei, "X-Security-Token"),
        }
    }

    /// The banner for a server listening on `host:port`.
    #[must_use]
    pub fn render(&self, host: &str, port: u16) -> String {
        let endpoint = format!("http://{host}:{port}");
        let mut out = format!(
            "resourcemanager-emulator {} listening at {endpoint}\n{}\n{}\n  access keys:\n",
            env!("CARGO_PKG_VERSION"),
            self.world_line,
            self.huawei_line
        );
        for line in &self.alibaba_keys {
            out.push_str(line);
            out.push('\n');
        }
        if !self.huawei_keys.is_empty() {
            out.push_str("  huawei access keys (AK / SK):\n");
            for line in &self.huawei_keys {
                out.push_str(line);
                out.push('\n');
            }
        }
        out.push_str(&format!(
            "  python: Config(access_key_id='LTAI5tEmuInvitee00001', access_key_secret='EmuInviteeSecret00001', endpoint='{host}:{port}', protocol='http')\n  huawei: OrganizationsClient.new_builder().with_credentials(GlobalCredentials('EMUHWINVITEE00000001', 'EmuHwInviteeSecret0000000000000000000001', '05c734152f00d4200f2bc0179ac6c5e0')).with_endpoint('{endpoint}').build()\n  curl:   curl -sS \"$(resourcemanager-emulator sign --endpoint {endpoint} AcceptHandshake HandshakeId=h-Ih8IuPfvV0t0abcd)\"\n"
        ));
        out
    }
}
