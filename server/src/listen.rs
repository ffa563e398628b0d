//! Accepting connections. `axum::serve` gives hyper no timer, so a client
//! could send its headers a byte a minute, or hold idle connections open, for
//! as long as it likes. Here every HTTP/1 connection has `header_timeout` to
//! send a request's headers — also between requests on a kept-alive
//! connection — and stopping waits for requests in flight.
//!
//! Every request runs in a task of its own, started the moment hyper hands it
//! over, which goes on when the client hangs up. Without it, hyper drops the
//! request's future at its next await when the connection closes — mid-
//! transaction, mid-hash, between a write and its audit entry — or, when the
//! client closed right after sending, before it was first polled at all.
//! With it, a request's work ends the way its code says (committed or rolled
//! back, its hashing turn and its writer lock held until then) and only the
//! answer is thrown away. What bounds the work is the request timeout inside
//! it; `store::WriteTx` rolling itself back and the pool refusing a
//! connection that comes back inside a transaction cover what that timeout
//! cuts off.
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `app` on `listener` until `shutdown` resolves, then stops accepting
/// and lets the open connections finish (for at most `drain`, downloads included).
pub async fn serve(listener: TcpListener, app: Router, header_timeout: Duration, drain: Duration, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(x) => x,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let service = tower::service_fn(move |req: axum::http::Request<Incoming>| {
            let mut req = req.map(axum::body::Body::new);
            req.extensions_mut().insert(ConnectInfo(remote));
            let running = tokio::spawn(app.clone().oneshot(req));
            async move {
                Ok::<_, std::convert::Infallible>(match running.await {
                    Ok(Ok(res)) => res,
                    Ok(Err(never)) => match never {},
                    Err(e) => {
                        // The panic itself was logged by the panic hook.
                        tracing::error!(error = %e, "a request's task ended without an answer");
                        let body = "Something went wrong on the server. Try again; if it keeps happening, check the server log.\n";
                        axum::response::IntoResponse::into_response((axum::http::StatusCode::INTERNAL_SERVER_ERROR, body))
                    }
                })
            }
        });
        let mut http = hyper::server::conn::http1::Builder::new();
        // A client may send its whole request and close its side at once
        // (half-close): hyper then still serves it, instead of taking the
        // end of the input for a connection gone before the request ran.
        http.timer(TokioTimer::new()).header_read_timeout(header_timeout).half_close(true);
        let connection = http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(drain, graceful.shutdown()).await.is_err() {
        tracing::warn!("requests were still running {} s after the stop signal; stopping anyway", drain.as_secs());
    }
    Ok(())
}
