//! The one app factory, used by `main` and by the tests, and the bound server. The factory mounts
//! the control plane under `/_emulator/`, each cloud's routes, and Alibaba's `InvalidApi.NotFound`
//! for any other path. The server runs actix's HTTP/1 service over sockets guarded by the
//! [`super::edge`]: actix-web's `HttpServer` takes no wrapper around a connection's stream.

use super::edge::{Edge, Guarded};
use super::state::AppState;
use crate::control;
use crate::facade::{alibaba, huawei};
use actix_http::error::DispatchError;
use actix_http::{HttpService, KeepAlive};
use actix_server::Server;
use actix_service::{IntoServiceFactory, ServiceFactoryExt, fn_service, map_config};
use actix_web::App;
use actix_web::dev::{AppConfig, ServerHandle};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;

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
/// tens of milliseconds under load. For an `HttpServer::on_connect` (the benchmark's bare
/// endpoint); the emulator's own connections are set up in [`Application::build`].
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
    /// Binds `host:port` (port 0 picks a free one) and builds the server over `state`: actix's
    /// HTTP/1 service over each connection's socket guarded by the [`edge`]. Must be called
    /// inside an actix system.
    pub fn build(state: AppState, host: &str, port: u16, workers: usize) -> std::io::Result<Self> {
        let listener = TcpListener::bind((host, port))?;
        let local = listener.local_addr()?;
        let limits = state.limits;
        let edge = Arc::new(Edge {
            read_timeout: limits.read_timeout,
            journal: state.alibaba.journal.clone(),
            wall_clock: state.alibaba.wall_clock.clone(),
        });
        let shared = state.clone();
        let server = Server::build()
            .workers(workers.max(1))
            .listen("resourcemanager-emulator", listener, move || {
                let edge = edge.clone();
                let http = HttpService::build()
                    .keep_alive(if limits.keep_alive.is_zero() {
                        KeepAlive::Disabled
                    } else {
                        KeepAlive::Timeout(limits.keep_alive)
                    })
                    // The edge times every request head, not only a connection's first.
                    .client_request_timeout(Duration::ZERO)
                    .client_disconnect_timeout(Duration::from_secs(1))
                    .local_addr(local)
                    .h1(map_config(
                        app(shared.clone())
                            .into_factory()
                            .map_err(|e| e.error_response()),
                        |()| AppConfig::default(),
                    ));
                fn_service(move |stream: TcpStream| {
                    let edge = edge.clone();
                    async move {
                        // As no_delay does; best effort.
                        let _ = stream.set_nodelay(true);
                        let peer = stream.peer_addr().ok();
                        Ok::<_, DispatchError>((Guarded::new(stream, edge), peer))
                    }
                })
                .and_then(http)
            })?
            .run();
        Ok(Self {
            server,
            port: local.port(),
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
