//! The demo's pull request in a real headless Chromium, driven over its DevTools protocol:
//! the page is loaded at a phone's size and a desktop's, screenshots are written to the
//! test's output folder, and the DOM (with layout) must show the dashboard table and every
//! row, without the page scrolling sideways on the phone.
//!
//! Chromium comes from the system's packages (`apt-get install chromium`; see
//! `scripts/ci-browser.sh`). Where none is installed the test prints why and passes, unless
//! `INFRA_CI_BROWSER_REQUIRED=1` (set by the CI script) makes a missing browser a failure.

use std::io::{BufRead as _, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A bound on every wait, so a broken browser fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(90);

/// Names Chromium goes by in distributions' packages.
const BROWSERS: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome-stable",
    "google-chrome",
];

/// Kills a child process when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| BROWSERS.iter().map(move |b| dir.join(b)))
        .find(|p| p.is_file())
}

/// Reads a child's output lines on a thread until `pick` finds what it wants.
fn wait_for_line(
    out: impl std::io::Read + Send + 'static,
    what: &str,
    pick: fn(&str) -> Option<String>,
) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(found) = pick(&line) {
                let _ = tx.send(found);
            }
        }
    });
    rx.recv_timeout(PATIENCE)
        .unwrap_or_else(|_| panic!("no {what} within {PATIENCE:?}"))
}

/// `infra-ci demo --serve`: plays the demo, then serves its pull request's page.
fn serve_demo() -> (Killed, String) {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin!("infra-ci"))
        .args(["demo", "--serve"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let url = wait_for_line(stdout, "page address from the demo", |l| {
        l.strip_prefix("The pull request's page: ")
            .map(str::to_owned)
    });
    (Killed(child), url)
}

/// A Chromium with a DevTools endpoint; returns it and its browser websocket URL.
fn start_browser(bin: &Path, profile: &Path) -> (Killed, String) {
    let mut child = Command::new(bin)
        .args([
            "--headless",
            // Root in containers and CI cannot use Chromium's sandbox.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let ws = wait_for_line(stderr, "DevTools address from Chromium", |l| {
        l.strip_prefix("DevTools listening on ").map(str::to_owned)
    });
    (Killed(child), ws)
}

/// A minimal DevTools protocol client: one page session, commands answered in order.
struct Cdp {
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    session: Option<String>,
}

impl Cdp {
    fn connect(url: &str) -> Self {
        let (ws, _) = tungstenite::connect(url).unwrap();
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(PATIENCE)).unwrap();
        }
        Self {
            ws,
            next: 0,
            session: None,
        }
    }

    /// Sends a command and returns its result (protocol errors fail the test).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let mut msg = json!({"id": self.next, "method": method});
        msg["params"] = params;
        if let Some(s) = &self.session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let v = self.read();
            if v["id"] == self.next {
                assert!(v.get("error").is_none(), "{method}: {}", v["error"]);
                return v["result"].clone();
            }
        }
    }

    fn read(&mut self) -> Value {
        loop {
            if let Message::Text(t) = self.ws.read().unwrap() {
                return serde_json::from_str(t.as_str()).unwrap();
            }
        }
    }

    /// Opens a page and attaches to it; later commands go to that page.
    fn open_page(&mut self) {
        let target = self.call("Target.createTarget", json!({"url": "about:blank"}));
        let attached = self.call(
            "Target.attachToTarget",
            json!({"targetId": target["targetId"], "flatten": true}),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_owned());
        self.call("Page.enable", json!({}));
    }

    /// Loads `url` at the given viewport and waits for its load event.
    fn load(&mut self, url: &str, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
        self.call("Page.navigate", json!({"url": url}));
        loop {
            let v = self.read();
            if v["method"] == "Page.loadEventFired" {
                return;
            }
        }
    }

    fn eval(&mut self, expression: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({"expression": expression, "returnByValue": true}),
        );
        assert!(r.get("exceptionDetails").is_none(), "{r}");
        r["result"]["value"].clone()
    }

    /// A PNG of the whole page.
    fn screenshot(&mut self, path: &Path) {
        let m = self.call("Page.getLayoutMetrics", json!({}));
        let size = &m["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true,
                   "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(path, png).unwrap();
    }
}

/// What the page shows of the dashboard: the table's visibility and box, each row's cells
/// as rendered text, and whether the page is wider than the screen.
const INSPECT: &str = r"(() => {
  const seen = e => e.checkVisibility() && e.getBoundingClientRect().width > 0
    && e.getBoundingClientRect().height > 0;
  const boxes = [...document.querySelectorAll('.comment .markdown-body')]
    .filter(b => [...b.querySelectorAll('h2')].some(h => h.innerText.includes('Commit Dashboard')));
  const table = boxes.length === 1 ? boxes[0].querySelector('table') : null;
  return {
    dashboards: boxes.length,
    tableVisible: table !== null && seen(table),
    rows: table === null ? [] : [...table.querySelectorAll('tbody tr')].map(r => ({
      visible: seen(r),
      cells: [...r.cells].map(c => c.innerText.trim()),
    })),
    detailsOpen: boxes.length === 1 ? boxes[0].querySelectorAll('details[open]').length : -1,
    pageWidth: document.documentElement.scrollWidth,
    screenWidth: window.innerWidth,
  };
})()";

#[test]
fn the_demo_dashboard_in_a_real_browser() {
    let Some(bin) = find_browser() else {
        let msg = "browser test skipped: no Chromium found on PATH (install it with \
                   `apt-get install chromium`, or set CHROMIUM to its path; \
                   scripts/ci-browser.sh does this in CI)";
        assert!(
            std::env::var("INFRA_CI_BROWSER_REQUIRED").as_deref() != Ok("1"),
            "{msg}, and INFRA_CI_BROWSER_REQUIRED=1 says it must run"
        );
        println!("{msg}");
        return;
    };
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("browser");
    let profile = out.join("profile");
    std::fs::create_dir_all(&profile).unwrap();

    let (_demo, url) = serve_demo();
    let (_browser, ws) = start_browser(&bin, &profile);
    let mut cdp = Cdp::connect(&ws);
    cdp.open_page();

    // A phone first (390 × 844 CSS pixels), then a desktop.
    for (name, width, height, mobile) in [("phone", 390, 844, true), ("desktop", 1280, 900, false)]
    {
        cdp.load(&url, width, height, mobile);
        let shot = out.join(format!("demo-dashboard-{name}.png"));
        cdp.screenshot(&shot);
        println!("screenshot: {}", shot.display());
        let seen = cdp.eval(INSPECT);
        assert_eq!(seen["dashboards"], 1, "{name}: {seen}");
        assert_eq!(seen["tableVisible"], true, "{name}: {seen}");
        let rows = seen["rows"].as_array().unwrap();
        let stages: Vec<&str> = rows
            .iter()
            .map(|r| r["cells"][0].as_str().unwrap())
            .collect();
        assert_eq!(
            stages,
            [
                "CI Validate",
                "Plan: bootstrap",
                "Plan: platform",
                "Plan: data-staging",
                "Plan: data-prod",
                "Apply",
                "Apply: bootstrap",
                "E2E Tests",
                "AI Review"
            ],
            "{name}"
        );
        for r in rows {
            assert_eq!(r["visible"], true, "{name}: {r}");
            assert_eq!(r["cells"].as_array().unwrap().len(), 4, "{name}: {r}");
        }
        // The demo's end state: the parallel plans and the bootstrap apply all succeeded.
        for (row, output) in [
            (2, "+3 ~1 -0"),
            (3, "no changes"),
            (4, "+1 ~0 -1 ⚠️"),
            (5, "applied: +2 ~0 -0"),
            (6, "applied: +2 ~0 -0"),
        ] {
            assert_eq!(rows[row]["cells"][1], "✅ success", "{name}: {}", rows[row]);
            assert_eq!(rows[row]["cells"][2], output, "{name}: {}", rows[row]);
        }
        assert_eq!(seen["detailsOpen"], 0, "{name}: {seen}");
        assert!(
            seen["pageWidth"].as_u64().unwrap() <= seen["screenWidth"].as_u64().unwrap(),
            "{name}: the page scrolls sideways: {seen}"
        );
    }
}
