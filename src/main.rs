//! `resourcemanager-emulator`: parse the command line, set up logging, build, run.

use clap::Parser;
use resourcemanager_emulator::app::durable;
use resourcemanager_emulator::app::state::Builder;
use resourcemanager_emulator::app::{
    AppState, Application, DEFAULT_WORLD_NAME, Limits, load_world,
};
use resourcemanager_emulator::cli::{
    self, Banner, Cli, Command, FixturesCommand, LogFormat, ServeArgs,
};
use resourcemanager_emulator::clock::{Clock, SystemClock};
use std::process::ExitCode;
use std::time::Duration;

fn main() -> ExitCode {
    match Cli::parse().into_command() {
        Command::Serve(args) => serve(&args),
        Command::Sign(args) => match cli::sign(&args) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(problem) => {
                eprintln!("resourcemanager-emulator sign: {problem}");
                ExitCode::FAILURE
            }
        },
        Command::Errors(args) => {
            print!("{}", cli::errors(&args));
            ExitCode::SUCCESS
        }
        Command::Fixtures {
            command: FixturesCommand::Generate(args),
        } => {
            match cli::generate(
                &args,
                &mut std::io::BufWriter::new(std::io::stdout().lock()),
            ) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("resourcemanager-emulator fixtures generate: {e}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<tracing_subscriber::filter::Targets>().ok())
        .unwrap_or_else(|| {
            tracing_subscriber::filter::Targets::new().with_default(tracing::Level::INFO)
        });
    let registry = tracing_subscriber::registry().with(filter);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false);
    match format {
        LogFormat::Text => registry.with(layer).init(),
        LogFormat::Json => registry.with(layer.json()).init(),
    }
}

/// The builder over the worlds of `args`, in memory or in `--data-dir`, and the banner.
fn open(args: &ServeArgs) -> Result<(Builder, Banner), String> {
    let world_name = args.fixtures.as_ref().map_or_else(
        || DEFAULT_WORLD_NAME.to_owned(),
        |p| p.display().to_string(),
    );
    let Some(directory) = &args.data_dir else {
        let worlds = load_world(args.fixtures.as_deref(), SystemClock.now())
            .map_err(|problem| format!("cannot load the world: {problem}"))?;
        let banner = Banner::new(&worlds, &world_name);
        return Ok((AppState::builder(worlds), banner));
    };
    let prepared = durable::prepare(
        directory,
        args.sync.into(),
        args.fixtures.as_deref(),
        &world_name,
        args.replace_data,
        SystemClock.now(),
    )?;
    let banner = Banner::new(
        &prepared.worlds,
        &format!("{} ({})", directory.display(), prepared.how),
    );
    let database = prepared.database.clone();
    let (alibaba, huawei) = prepared.into_stores().map_err(|e| e.0)?;
    Ok((
        AppState::builder_with(alibaba, huawei).database(database),
        banner,
    ))
}

/// Reads standard input to its end (discarding it), then stops the server at once: the harness
/// that holds the pipe has closed it or died. Every acknowledged change is already committed.
fn stop_on_stdin_eof(handle: actix_web::dev::ServerHandle) {
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
        // The command is sent when `stop` is called; the future only waits for its completion.
        drop(handle.stop(false));
    });
}

fn serve(args: &ServeArgs) -> ExitCode {
    match args.exposure() {
        Ok(warnings) => warnings
            .iter()
            .for_each(|w| eprintln!("resourcemanager-emulator: {w}")),
        Err(refusal) => {
            eprintln!("resourcemanager-emulator: {refusal}");
            return ExitCode::FAILURE;
        }
    }
    init_logging(args.log_format);
    let (builder, banner) = match open(args) {
        Ok(opened) => opened,
        Err(problem) => {
            eprintln!("resourcemanager-emulator: {problem}");
            return ExitCode::FAILURE;
        }
    };
    let workers = args.worker_count();
    let result = actix_web::rt::System::new().block_on(async move {
        let state = builder
            .admin_token(args.admin_token.clone())
            .journal_size(args.journal_size)
            .limits(Limits {
                read_timeout: Duration::from_secs(args.read_timeout),
                keep_alive: Duration::from_secs(args.keep_alive),
                nonce_memory: args.nonce_memory.saturating_mul(1 << 20),
            })
            .build();
        let app = Application::build(state, &args.host, args.port, workers)?;
        if args.exit_on_stdin_eof {
            stop_on_stdin_eof(app.handle());
        }
        print!("{}", banner.render(&args.host, app.port()));
        app.run_until_stopped().await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("resourcemanager-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}
