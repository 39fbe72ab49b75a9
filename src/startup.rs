//! Building the application: the shared state (built once, outside the server's per-worker
//! factory), the app factory used by `main` and by the tests, and the bound server.

use crate::clock::{Clock, EmulatorClock, SystemClock};
use crate::domain::fixtures::{DEFAULT_WORLD, DEFAULT_WORLD_NAME, FixtureError, WorldDoc};
use crate::domain::{MemoryStore, Store, World};
use crate::gateway;
use crate::gateway::faults::Faults;
use crate::gateway::journal::{self, Journal};
use crate::protocol::nonce::NonceCache;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

/// State shared by every worker.
pub struct AppState {
    /// The world.
    pub store: Arc<dyn Store>,
    /// The world as loaded at start, for `POST /_emulator/reset`.
    pub initial_world: World,
    /// Emulator time: handshake times and expiry; set from the control plane.
    pub clock: Arc<EmulatorClock>,
    /// Real time: the signature timestamp window.
    pub wall_clock: Arc<dyn Clock>,
    /// Used signature nonces.
    pub nonces: NonceCache,
    /// Fault rules in force.
    pub faults: Faults,
    /// The last requests.
    pub journal: Journal,
    /// When required, the bearer token every control-plane call must carry.
    pub admin_token: Option<String>,
    /// When the state was built.
    pub started: Instant,
}

impl AppState {
    /// State over `world`: the emulator clock follows system time, the journal keeps the
    /// default number of requests, and the control plane needs no token.
    #[must_use]
    pub fn new(world: World) -> Self {
        Self::with_clocks(
            world,
            Arc::new(EmulatorClock::system()),
            Arc::new(SystemClock),
        )
    }

    /// State over `world` with the given emulator and wall clocks.
    #[must_use]
    pub fn with_clocks(
        world: World,
        clock: Arc<EmulatorClock>,
        wall_clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store: Arc::new(MemoryStore::new(world.clone())),
            initial_world: world,
            clock,
            wall_clock,
            nonces: NonceCache::default(),
            faults: Faults::default(),
            journal: Journal::new(journal::DEFAULT_CAPACITY),
            admin_token: None,
            started: Instant::now(),
        }
    }

    /// Requires `token` on every control-plane call.
    #[must_use]
    pub fn with_admin_token(mut self, token: Option<String>) -> Self {
        self.admin_token = token;
        self
    }

    /// Keeps the last `size` requests in the journal (0: none).
    #[must_use]
    pub fn with_journal_size(mut self, size: usize) -> Self {
        self.journal = Journal::new(size);
        self
    }
}

/// Loads the world from `path` (TOML, or JSON if it ends in `.json`), or the embedded default
/// world, as of `clock`'s now.
pub fn load_world(path: Option<&Path>, clock: &dyn Clock) -> Result<World, FixtureError> {
    match path {
        None => WorldDoc::load_toml(DEFAULT_WORLD_NAME, DEFAULT_WORLD, clock.now()),
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
                WorldDoc::load_json(&name, &text, clock.now())
            } else {
                WorldDoc::load_toml(&name, &text, clock.now())
            }
        }
    }
}

/// The application: what every worker serves. The one factory for `main` and the tests.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().app_data(state).configure(gateway::configure)
}

/// Sends each response as soon as it is written: with Nagle's algorithm on, a response written
/// in two parts waits for the client's delayed ACK (40 ms on Linux), which showed as a p99 of
/// tens of milliseconds under load.
pub fn no_delay(connection: &dyn std::any::Any, _: &mut actix_web::dev::Extensions) {
    if let Some(stream) = connection.downcast_ref::<actix_web::rt::net::TcpStream>() {
        // Best effort: a socket that refuses the option still works, only slower.
        let _ = stream.set_nodelay(true);
    }
}

/// A bound, not yet running, server.
pub struct Application {
    server: Server,
    port: u16,
    state: web::Data<AppState>,
}

impl Application {
    /// Binds `host:port` (port 0 picks a free one) and builds the server over `state`.
    /// Must be called inside an actix system.
    pub fn build(state: AppState, host: &str, port: u16, workers: usize) -> std::io::Result<Self> {
        let listener = TcpListener::bind((host, port))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(state);
        let shared = state.clone();
        let server = HttpServer::new(move || app(shared.clone()))
            .on_connect(no_delay)
            .workers(workers.max(1))
            .listen(listener)?
            .run();
        Ok(Self {
            server,
            port,
            state,
        })
    }

    /// The port actually bound.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state.
    #[must_use]
    pub fn state(&self) -> web::Data<AppState> {
        self.state.clone()
    }

    /// A handle that can stop the server.
    #[must_use]
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
