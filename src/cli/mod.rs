//! The command line: `serve` (the default), `sign`, `errors` and `fixtures generate`. Every flag
//! can also be set with an `RM_EMULATOR_*` environment variable.

mod banner;
mod sign;

pub use banner::Banner;
pub use sign::sign;

use crate::app::WorldDoc;
use crate::facade::alibaba::catalog::ErrorCode;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The port served when none is given.
pub const DEFAULT_PORT: u16 = 8765;

/// A local emulator of Alibaba Cloud Resource Manager's handshake API.
#[derive(Debug, Parser)]
#[command(
    name = "resourcemanager-emulator",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Flags of `serve`, accepted without the word.
    #[command(flatten)]
    pub serve: ServeArgs,
}

impl Cli {
    /// The command to run: `serve` with the top-level flags when none is named.
    #[must_use]
    pub fn into_command(self) -> Command {
        self.command.unwrap_or(Command::Serve(self.serve))
    }
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the RPC endpoint (the default).
    Serve(ServeArgs),
    /// Print a signed request URL (or curl command) for an action.
    Sign(SignArgs),
    /// Print the error catalogs (both clouds, or one) as Markdown tables.
    Errors(ErrorsArgs),
    /// World files: `fixtures generate` writes a large world for benchmarks.
    Fixtures {
        /// What to do with world files.
        #[command(subcommand)]
        command: FixturesCommand,
    },
}

/// Subcommands of `fixtures`.
#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// Write a generated world (JSON, or TOML with --toml) to standard output.
    Generate(GenerateArgs),
}

/// Flags of `fixtures generate`.
#[derive(Debug, Clone, Args)]
pub struct GenerateArgs {
    /// How many Pending invitations (Alibaba: from rd-Bench01; Huawei: from o-bench…).
    #[arg(long, env = "RM_EMULATOR_GENERATE_HANDSHAKES", default_value_t = 1000)]
    pub handshakes: usize,
    /// Give each invitation its own account and key (LTAI5tBench<i>/BenchSecret<i>) so it can be accepted.
    #[arg(long, env = "RM_EMULATOR_GENERATE_ACCOUNTS")]
    pub accounts: bool,
    /// Write TOML instead of JSON.
    #[arg(long, env = "RM_EMULATOR_GENERATE_TOML")]
    pub toml: bool,
    /// Which cloud's world gets the invitations (Huawei's: o-bench…, keys HWBENCH<i>).
    #[arg(long, env = "RM_EMULATOR_GENERATE_CLOUD", value_enum, default_value_t = GenerateCloud::Alibaba)]
    pub cloud: GenerateCloud,
}

/// The clouds `fixtures generate` fills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenerateCloud {
    /// Alibaba's world only.
    Alibaba,
    /// Huawei's world only.
    Huawei,
    /// Both.
    Both,
}

/// `fixtures generate`: the world document, written to `out`.
pub fn generate(args: &GenerateArgs, out: &mut impl std::io::Write) -> std::io::Result<()> {
    let doc = WorldDoc::generate(
        args.handshakes,
        args.accounts,
        args.cloud != GenerateCloud::Huawei,
        args.cloud != GenerateCloud::Alibaba,
    );
    if args.toml {
        out.write_all(doc.to_toml().as_bytes())
    } else {
        serde_json::to_writer(&mut *out, &doc)?;
        out.write_all(b"\n")
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// Flags of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "RM_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "RM_EMULATOR_PORT", default_value_t = DEFAULT_PORT)]
    pub port: u16,
    /// A world file (TOML, the schema of fixtures/default.toml) instead of the embedded default world.
    #[arg(long, env = "RM_EMULATOR_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// Log line format.
    #[arg(long, env = "RM_EMULATOR_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Worker threads, 1 to 64 (default: one per core, at most 64).
    #[arg(long, env = "RM_EMULATOR_WORKERS", value_parser = clap::value_parser!(u16).range(1..=MAX_WORKERS as i64))]
    pub workers: Option<u16>,
    /// Require `Authorization: Bearer <TOKEN>` on every /_emulator/ call.
    #[arg(long, env = "RM_EMULATOR_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// Keep the worlds in a SQLite database in this directory, durable across restarts and
    /// crashes (default: in memory).
    #[arg(long, env = "RM_EMULATOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// With --data-dir and --fixtures: replace the world the directory holds.
    #[arg(long, env = "RM_EMULATOR_REPLACE_DATA")]
    pub replace_data: bool,
    /// With --data-dir: `normal` (an acknowledged change survives the emulator being killed) or
    /// `full` (it also survives power loss: fsync before acknowledging).
    #[arg(long, env = "RM_EMULATOR_SYNC", value_enum, default_value_t = SyncArg::Normal)]
    pub sync: SyncArg,
    /// Serve the control plane on a non-loopback --host without --admin-token: anyone who can
    /// reach the port can then read every secret and STS token.
    #[arg(long, env = "RM_EMULATOR_EXPOSE_CONTROL_PLANE")]
    pub expose_control_plane: bool,
    /// How many requests /_emulator/requests keeps (0: none).
    #[arg(long, env = "RM_EMULATOR_JOURNAL_SIZE", default_value_t = crate::control::journal::DEFAULT_CAPACITY)]
    pub journal_size: usize,
    /// Seconds a client has for each phase of sending a request: the head (from the connection
    /// or its first byte) and the body (from the end of the head), 1 to 3600.
    #[arg(long, env = "RM_EMULATOR_READ_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub read_timeout: u64,
    /// Seconds an idle keep-alive connection stays open, 0 to 3600 (0: one request per connection).
    #[arg(long, env = "RM_EMULATOR_KEEP_ALIVE", default_value_t = 5, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub keep_alive: u64,
    /// MiB the used-nonce cache may take, 1 to 65536; past it, signed requests get Throttling.
    #[arg(long, env = "RM_EMULATOR_NONCE_MEMORY", default_value_t = crate::facade::alibaba::nonce::DEFAULT_MEMORY_MIB, value_parser = clap::value_parser!(u64).range(1..=65536))]
    pub nonce_memory: u64,
    /// Stop when standard input reaches end of file: a harness that keeps a pipe to it open
    /// (the Python and npm packages do) never leaves the emulator behind when it dies.
    #[arg(long, env = "RM_EMULATOR_EXIT_ON_STDIN_EOF")]
    pub exit_on_stdin_eof: bool,
}

/// The most worker threads `--workers` takes: each holds file descriptors of its own, and
/// thousands of them exhaust the process's limit before a connection is served.
pub const MAX_WORKERS: u16 = 64;

impl ServeArgs {
    /// The worker threads to run: `--workers`, or one per core up to [`MAX_WORKERS`].
    #[must_use]
    pub fn worker_count(&self) -> usize {
        self.workers
            .map_or_else(
                || std::thread::available_parallelism().map_or(1, usize::from),
                usize::from,
            )
            .min(usize::from(MAX_WORKERS))
    }

    /// Whether these flags may start a server, and the warnings to print if so. Refused: an
    /// empty admin token (no request could unlock the control plane), and a non-loopback host
    /// without a token unless `--expose-control-plane` says so (`GET /_emulator/state` hands out
    /// every secret). Any non-loopback host is warned about.
    pub fn exposure(&self) -> Result<Vec<String>, String> {
        if self.admin_token.as_deref().is_some_and(str::is_empty) {
            return Err(
                "the admin token is empty (--admin-token or RM_EMULATOR_ADMIN_TOKEN): no \
                        request could unlock the control plane; give a token or leave it unset"
                    .into(),
            );
        }
        if is_loopback(&self.host, self.port) {
            return Ok(vec![]);
        }
        let at = format!("{}:{}", self.host, self.port);
        match (&self.admin_token, self.expose_control_plane) {
            (None, false) => Err(format!(
                "refusing to serve the control plane on {at}: it is reachable from other hosts \
                 and would hand every secret and STS token to anyone who asks; set \
                 --admin-token, or pass --expose-control-plane to accept that"
            )),
            (None, true) => Ok(vec![format!(
                "warning: the control plane (/_emulator/) is reachable from other hosts on {at} \
                 WITHOUT a token: anyone who can connect can read every secret and STS token"
            )]),
            (Some(_), _) => Ok(vec![format!(
                "warning: the control plane (/_emulator/) is reachable from other hosts on {at}; \
                 every call needs the admin token"
            )]),
        }
    }
}

/// Whether every address `host` names is a loopback address. A name that does not resolve
/// counts as loopback: binding it fails anyway, with the resolver's message.
fn is_loopback(host: &str, port: u16) -> bool {
    use std::net::ToSocketAddrs;
    (host, port)
        .to_socket_addrs()
        .map_or(true, |mut addrs| addrs.all(|a| a.ip().is_loopback()))
}

/// `--sync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SyncArg {
    /// Survive the process being killed.
    Normal,
    /// Survive power loss too.
    Full,
}

impl From<SyncArg> for crate::store::sqlite::Sync {
    fn from(sync: SyncArg) -> Self {
        match sync {
            SyncArg::Normal => Self::Normal,
            SyncArg::Full => Self::Full,
        }
    }
}

/// HTTP method of a signed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SignMethod {
    /// Everything in the query.
    Get,
    /// Everything in a form body.
    Post,
}

/// Which cloud a command is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CloudArg {
    /// Alibaba Cloud Resource Manager.
    Alibaba,
    /// Huawei Cloud Organizations.
    Huawei,
}

/// Flags of `errors`.
#[derive(Debug, Clone, Args)]
pub struct ErrorsArgs {
    /// Only this cloud's catalog, as a bare table.
    #[arg(long, value_enum)]
    pub cloud: Option<CloudArg>,
}

/// Flags of `sign`.
#[derive(Debug, Clone, Args)]
pub struct SignArgs {
    /// The action (Alibaba, e.g. AcceptHandshake) or operation (Huawei, e.g. AcceptHandshake,
    /// InviteAccount, ListHandshakes).
    pub action: String,
    /// Parameters as Name=Value. Alibaba: action parameters, e.g. HandshakeId=h-Ih8IuPfvV0t0abcd.
    /// Huawei: handshake_id=…, limit=…, marker=…, and body=<JSON> for InviteAccount.
    pub params: Vec<String>,
    /// The cloud whose endpoint the request is for.
    #[arg(long, env = "RM_EMULATOR_SIGN_CLOUD", value_enum, default_value_t = CloudArg::Alibaba)]
    pub cloud: CloudArg,
    /// Access key id (AK) to sign with (default: the default world's invitee key of the cloud).
    #[arg(long, env = "RM_EMULATOR_ACCESS_KEY_ID")]
    pub access_key_id: Option<String>,
    /// AccessKeySecret (default: the key's secret in the world).
    #[arg(long, env = "RM_EMULATOR_ACCESS_KEY_SECRET")]
    pub access_key_secret: Option<String>,
    /// SecurityToken for STS keys (default: the key's token in the world).
    #[arg(long, env = "RM_EMULATOR_SECURITY_TOKEN")]
    pub security_token: Option<String>,
    /// The world to look keys up in (default: the embedded default world).
    #[arg(long, env = "RM_EMULATOR_FIXTURES")]
    pub fixtures: Option<PathBuf>,
    /// The emulator's base URL.
    #[arg(
        long,
        env = "RM_EMULATOR_ENDPOINT",
        default_value = "http://127.0.0.1:8765"
    )]
    pub endpoint: String,
    /// Alibaba: GET puts the parameters in the query; POST sends them as a form body (implies
    /// --curl). Huawei requests always print a curl command with the operation's own method.
    #[arg(long, env = "RM_EMULATOR_SIGN_METHOD", value_enum, default_value_t = SignMethod::Get)]
    pub method: SignMethod,
    /// Response format.
    #[arg(long, env = "RM_EMULATOR_SIGN_FORMAT", default_value = "JSON")]
    pub format: String,
    /// Print a curl command rather than a URL.
    #[arg(long, env = "RM_EMULATOR_SIGN_CURL")]
    pub curl: bool,
}

/// `errors`: both catalogs under a heading each, or one cloud's bare table.
#[must_use]
pub fn errors(args: &ErrorsArgs) -> String {
    match args.cloud {
        Some(CloudArg::Alibaba) => ErrorCode::markdown_table(),
        Some(CloudArg::Huawei) => crate::facade::huawei::catalog::ErrorCode::markdown_table(),
        None => format!(
            "### Alibaba Cloud Resource Manager\n\n{}\n### Huawei Cloud Organizations\n\n{}",
            ErrorCode::markdown_table(),
            crate::facade::huawei::catalog::ErrorCode::markdown_table()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serve(args: &[&str]) -> ServeArgs {
        let cli = Cli::parse_from(
            std::iter::once("resourcemanager-emulator").chain(args.iter().copied()),
        );
        match cli.into_command() {
            Command::Serve(args) => args,
            _ => unreachable!("no subcommand given"),
        }
    }

    #[test]
    fn loopback_hosts_start_quietly_and_others_need_a_token_or_consent() {
        for host in ["127.0.0.1", "::1", "localhost"] {
            assert_eq!(serve(&["--host", host]).exposure(), Ok(vec![]), "{host}");
        }
        let refused = serve(&["--host", "0.0.0.0"]).exposure().unwrap_err();
        assert!(refused.contains("every secret and STS token"), "{refused}");
        let exposed = serve(&["--host", "0.0.0.0", "--expose-control-plane"])
            .exposure()
            .unwrap();
        assert!(exposed[0].contains("WITHOUT a token"), "{exposed:?}");
        let guarded = serve(&["--host", "0.0.0.0", "--admin-token", "t"])
            .exposure()
            .unwrap();
        assert!(guarded[0].contains("needs the admin token"), "{guarded:?}");
        assert!(
            serve(&["--admin-token", ""])
                .exposure()
                .unwrap_err()
                .contains("empty")
        );
    }

    #[test]
    fn the_worker_count_defaults_to_the_cores_and_never_exceeds_the_maximum() {
        assert_eq!(serve(&["--workers", "3"]).worker_count(), 3);
        let default = serve(&[]).worker_count();
        assert!((1..=usize::from(MAX_WORKERS)).contains(&default));
    }
}
