//! The one app factory, used by `main` and by the tests, and the bound server. The factory mounts
//! the control plane under `/_emulator/`, each cloud's routes, and Alibaba's `InvalidApi.NotFound`
//! for any other path.

use super::state::AppState;
use crate::control;
use crate::facade::{alibaba, huawei};
use actix_web::dev::{Server, ServerHandle};
use actix_web::{App, HttpServer};
use std::net::TcpListener;

/// The application: what every worker serves. The one factory for `main` and the tests.
#[must_use]
pub fn app(
    state: AppState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let mut app = App::new()
        .app_data(state.alibaba)
        .app_data(state.huawei)
        .app_data(state.control)
        .service(control::http::scope())
        .service(alibaba::gateway::service());
    for scope in huawei::gateway::scopes() {
        app = app.service(scope);
    }
    app.default_service(alibaba::gateway::not_found_service())
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
    state: AppState,
}

impl Application {
    /// Binds `host:port` (port 0 picks a free one) and builds the server over `state`.
    /// Must be called inside an actix system.
    pub fn build(state: AppState, host: &str, port: u16, workers: usize) -> std::io::Result<Self> {
        let listener = TcpListener::bind((host, port))?;
        let port = listener.local_addr()?.port();
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
    pub fn state(&self) -> AppState {
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
