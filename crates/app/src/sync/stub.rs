//! A stand-in for the national portal, for tests and demonstrations: a real HTTP server on a
//! loopback port that records the messages it accepts, keeps the first copy of each
//! idempotency key, and fails on demand (the next N requests with 500, or down for a while:
//! connections closed as soon as they are accepted). Every answer closes its connection, so
//! "down" reaches clients that keep connections alive too.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};

/// A message the stub accepted.
#[derive(Debug, Clone, Serialize)]
pub struct Received {
    pub key: String,
    /// From the key (`{dossier}:{seq}:{sink}`).
    pub dossier: String,
    pub seq: u32,
    pub body: serde_json::Value,
}

#[derive(Default)]
struct StubState {
    accepted: Vec<Received>,
    keys: HashSet<String>,
    fail_next: u32,
    down_until: Option<Instant>,
    requests: u64,
    duplicates: u64,
    /// Wait before answering a message just accepted: the window in which a sender that dies
    /// has delivered without knowing it.
    delay: Duration,
}

type Shared = Arc<Mutex<StubState>>;

/// Runs `f` on the state; a poisoned lock (a panicked handler) still holds valid data.
fn with<T>(state: &Shared, f: impl FnOnce(&mut StubState) -> T) -> T {
    let mut guard = state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut guard)
}

/// Drops connections accepted while the stub is down.
struct Gate {
    inner: TcpListener,
    state: Shared,
}

impl axum::serve::Listener for Gate {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.inner.accept().await {
                Ok((socket, addr)) => {
                    let down = with(&self.state, |s| {
                        s.down_until.is_some_and(|t| Instant::now() < t)
                    });
                    if down {
                        drop(socket);
                        continue;
                    }
                    return (socket, addr);
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// A running stub portal.
pub struct StubPortal {
    addr: SocketAddr,
    state: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl StubPortal {
    /// Listens on `addr` (port 0 for any free port).
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state: Shared = Arc::default();
        let router = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&state));
        let gate = Gate {
            inner: listener,
            state: Arc::clone(&state),
        };
        let task = tokio::spawn(async move {
            let _ = axum::serve(gate, router).await;
        });
        Ok(Self { addr, state, task })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The URL to configure as the portal's endpoint.
    pub fn url(&self) -> String {
        format!("http://{}/dvcqg/hoso", self.addr)
    }

    /// Accepted messages, in the order they arrived (first copies only).
    pub fn accepted(&self) -> Vec<Received> {
        with(&self.state, |s| s.accepted.clone())
    }

    /// Requests seen, duplicates among them included (not those dropped while down).
    pub fn requests(&self) -> u64 {
        with(&self.state, |s| s.requests)
    }

    /// Copies of an already accepted key.
    pub fn duplicates(&self) -> u64 {
        with(&self.state, |s| s.duplicates)
    }

    /// Answers the next `n` requests with 500.
    pub fn fail_next(&self, n: u32) {
        with(&self.state, |s| s.fail_next = n);
    }

    /// Closes every connection for `period`.
    pub fn go_down(&self, period: Duration) {
        with(&self.state, |s| {
            s.down_until = Some(Instant::now() + period)
        });
    }

    /// Answers each newly accepted message only after `delay`.
    pub fn set_delay(&self, delay: Duration) {
        with(&self.state, |s| s.delay = delay);
    }

    /// Stops listening.
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for StubPortal {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn closing(status: StatusCode, body: serde_json::Value) -> Response {
    (status, [(header::CONNECTION, "close")], axum::Json(body)).into_response()
}

async fn handle(
    State(state): State<Shared>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method == Method::GET {
        let accepted = with(&state, |s| s.accepted.clone());
        return closing(StatusCode::OK, serde_json::json!({ "accepted": accepted }));
    }
    if method != Method::POST {
        return closing(StatusCode::METHOD_NOT_ALLOWED, serde_json::json!({}));
    }
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let parsed: Option<serde_json::Value> = serde_json::from_slice(&body).ok();
    let (response, delay) = with(&state, |s| {
        s.requests += 1;
        if s.fail_next > 0 {
            s.fail_next -= 1;
            let r = closing(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({ "error_code": 500, "message": "lỗi thử nghiệm" }),
            );
            return (r, Duration::ZERO);
        }
        if s.down_until.is_some_and(|t| Instant::now() < t) {
            let r = closing(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({}));
            return (r, Duration::ZERO);
        }
        let (Some(key), Some(body)) = (key, parsed) else {
            let r = closing(
                StatusCode::BAD_REQUEST,
                serde_json::json!({ "error_code": 400, "message": "thiếu Idempotency-Key hoặc JSON" }),
            );
            return (r, Duration::ZERO);
        };
        if !s.keys.insert(key.clone()) {
            s.duplicates += 1;
            let r = closing(
                StatusCode::OK,
                serde_json::json!({ "error_code": 0, "duplicate": true }),
            );
            return (r, Duration::ZERO);
        }
        let mut parts = key.rsplitn(3, ':');
        let _sink = parts.next();
        let seq = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        let dossier = parts.next().unwrap_or_default().to_owned();
        s.accepted.push(Received {
            key,
            dossier,
            seq,
            body,
        });
        (
            closing(StatusCode::OK, serde_json::json!({ "error_code": 0 })),
            s.delay,
        )
    });
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    response
}
