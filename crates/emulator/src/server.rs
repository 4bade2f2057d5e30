//! Binding, serving and stopping an emulator over TCP.

use std::io::Write as _;
use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{Emulator, EmulatorOptions, router};

/// A running emulator served in a tokio task; dropping it leaves the server running
/// until the runtime ends, [`EmulatorHandle::shutdown`] stops it.
#[derive(Debug)]
pub struct EmulatorHandle {
    addr: SocketAddr,
    emulator: Emulator,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl EmulatorHandle {
    /// `http://HOST:PORT`, without a trailing slash: the API base URL for clients.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address (with the real port when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The emulator's state, for in-process inspection.
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// Stops accepting connections and waits for the server task to end.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds `addr` (use `127.0.0.1:0` in tests) and serves a fresh emulator in a tokio task.
pub async fn spawn(addr: SocketAddr, opts: EmulatorOptions) -> std::io::Result<EmulatorHandle> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let emulator = Emulator::new(&opts, format!("http://{addr}"));
    let app = router(emulator.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(err) = served {
            tracing::error!(%err, "emulator server stopped");
        }
    });
    Ok(EmulatorHandle {
        addr,
        emulator,
        stop,
        task,
    })
}

/// Binds `addr`, prints `listening on http://HOST:PORT` as the first line on stdout, then
/// serves until SIGINT (Ctrl-C) or SIGTERM.
pub async fn serve_forever(addr: SocketAddr, opts: EmulatorOptions) -> std::io::Result<()> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let emulator = Emulator::new(&opts, format!("http://{addr}"));
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "listening on http://{addr}")?;
        out.flush()?;
    }
    axum::serve(listener, router(emulator))
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut sig) => {
                sig.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
