//! Building the application: the shared state (built once, outside the server's per-worker
//! factory), the app factory used by `main` and by the tests, and the bound server.

use crate::clock::{Clock, SystemClock};
use crate::domain::fixtures::{DEFAULT_WORLD, DEFAULT_WORLD_NAME, FixtureError, WorldDoc};
use crate::domain::{MemoryStore, Store, World};
use crate::gateway;
use crate::protocol::nonce::NonceCache;
use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer, web};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;

/// State shared by every worker.
pub struct AppState {
    /// The world.
    pub store: Arc<dyn Store>,
    /// Emulator time: handshake times and expiry.
    pub clock: Arc<dyn Clock>,
    /// Real time: the signature timestamp window.
    pub wall_clock: Arc<dyn Clock>,
    /// Used signature nonces.
    pub nonces: NonceCache,
}

impl AppState {
    /// State over `world`, both clocks the system clock.
    #[must_use]
    pub fn new(world: World) -> Self {
        Self::with_clocks(world, Arc::new(SystemClock), Arc::new(SystemClock))
    }

    /// State over `world` with the given emulator and wall clocks.
    #[must_use]
    pub fn with_clocks(world: World, clock: Arc<dyn Clock>, wall_clock: Arc<dyn Clock>) -> Self {
        Self {
            store: Arc::new(MemoryStore::new(world)),
            clock,
            wall_clock,
            nonces: NonceCache::default(),
        }
    }
}

/// Loads the world from `path`, or the embedded default world, as of `clock`'s now.
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
            WorldDoc::load_toml(&name, &text, clock.now())
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
