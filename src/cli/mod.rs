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
    /// Worker threads (default: one per core).
    #[arg(long, env = "RM_EMULATOR_WORKERS")]
    pub workers: Option<usize>,
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
    /// How many requests /_emulator/requests keeps (0: none).
    #[arg(long, env = "RM_EMULATOR_JOURNAL_SIZE", default_value_t = crate::control::journal::DEFAULT_CAPACITY)]
    pub journal_size: usize,
    /// Stop when standard input reaches end of file: a harness that keeps a pipe to it open
    /// (the Python and npm packages do) never leaves the emulator behind when it dies.
    #[arg(long, env = "RM_EMULATOR_EXIT_ON_STDIN_EOF")]
    pub exit_on_stdin_eof: bool,
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
