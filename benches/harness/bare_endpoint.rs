//! The baseline for the benchmark harness (`benches/run`): a bare actix-web endpoint on `/` that
//! answers every request with a fixed body of the given size and the emulator's JSON content
//! type. It does no parsing, signing or state: the physical limit of this stack on this machine.
//!
//! `bare_endpoint PORT BODY_BYTES [WORKERS]`

use actix_web::{App, HttpResponse, HttpServer, web};

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8766);
    let size: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(420);
    let workers: usize = args.next().and_then(|w| w.parse().ok()).unwrap_or(1);
    let body = web::Bytes::from(vec![b'x'; size]);
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            let body = body.clone();
            App::new().default_service(web::to(move || {
                let body = body.clone();
                async move {
                    HttpResponse::Ok()
                        .content_type("application/json;charset=utf-8")
                        .body(body)
                }
            }))
        })
        .on_connect(resourcemanager_emulator::app::startup::no_delay)
        .workers(workers)
        .bind(("127.0.0.1", port))?
        .run();
        println!("bare endpoint listening at http://127.0.0.1:{port}");
        server.await
    })
}
