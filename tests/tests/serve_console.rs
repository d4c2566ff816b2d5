//! The dev console in a real headless browser (Debian's chromium driven through
//! chromedriver): open the page, see the error for a wrong caller token, fill the form of
//! `list_accounts`, run it, follow the next page, and see the connector's error for a bad
//! credential. Needs `chromium` and `chromium-driver`: `bash scripts/browser-test.sh`
//! installs them when missing and runs this test.

use std::net::{SocketAddr, TcpListener};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use connector_sdk::serve::{CallerToken, ServeOptions, Server};
use connector_sdk_tests::demo_app::DemoApp;
use thirtyfour::prelude::*;

const CALLER: &str = "console-caller-token-5e2a";

/// chromedriver on a free loopback port, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn chromedriver() -> Driver {
    let port = free_port();
    let binary = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".to_owned());
    let child = Command::new(binary)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver runs (install chromium-driver)");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

/// Waits until the element's text contains `needle`, and returns the text.
async fn text_with(browser: &WebDriver, id: &str, needle: &str) -> String {
    let started = Instant::now();
    loop {
        let text = browser
            .find(By::Id(id))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        if text.contains(needle) {
            return text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "#{id} never showed {needle:?}; it shows {text:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn fill(browser: &WebDriver, id: &str, value: &str) {
    let field = browser.find(By::Id(id)).await.unwrap();
    field.clear().await.unwrap();
    field.send_keys(value).await.unwrap();
}

async fn click(browser: &WebDriver, by: By) {
    browser
        .query(by)
        .and_displayed()
        .first()
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

/// chromedriver and a headless chromium session on it.
async fn open_browser() -> (Driver, WebDriver) {
    let driver = chromedriver().await;
    let mut caps = DesiredCapabilities::chrome();
    caps.set_headless().unwrap();
    caps.set_no_sandbox().unwrap();
    caps.set_disable_dev_shm_usage().unwrap();
    if let Ok(binary) = std::env::var("CHROMIUM") {
        caps.set_binary(&binary).unwrap();
    }
    let browser = WebDriver::new(&driver.url, caps)
        .await
        .expect("a browser session");
    browser.set_window_rect(0, 0, 1280, 1000).await.unwrap();
    (driver, browser)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromium-driver: bash scripts/test-all.sh"]
async fn the_console_runs_list_accounts_and_follows_the_next_page() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let options = ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        token: Some(CallerToken::new(CALLER).unwrap()),
        access_log: false,
        ..ServeOptions::default()
    };
    let server = Server::bind_connector(DemoApp::default(), options)
        .await
        .unwrap();
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));

    let (_driver, browser) = open_browser().await;
    browser.goto(&base).await.unwrap();
    assert_eq!(browser.title().await.unwrap(), "Connector console");

    // A wrong caller token: the server's 401 envelope, shown plainly.
    fill(&browser, "token", "not-the-token").await;
    click(&browser, By::Id("load")).await;
    let error = text_with(&browser, "error", "unauthorized").await;
    assert!(!error.contains(CALLER));

    // The right one: the capabilities are listed.
    fill(&browser, "token", CALLER).await;
    click(&browser, By::Id("load")).await;
    click(&browser, By::Css("button[data-capability='list_accounts']")).await;
    fill(&browser, "settings.base_url", "https://demo.example.com").await;
    fill(&browser, "auth.token", "good-token").await;
    fill(&browser, "page.size", "2").await;
    click(&browser, By::Id("run")).await;
    let first = text_with(&browser, "result", "user-2").await;
    assert!(
        first.contains("user-1") && !first.contains("user-3"),
        "{first}"
    );

    // One click to the next page.
    click(&browser, By::Id("next-page")).await;
    let second = text_with(&browser, "result", "user-4").await;
    assert!(
        second.contains("user-3") && !second.contains("user-1"),
        "{second}"
    );

    // A credential the connector rejects: its error envelope, shown plainly.
    fill(&browser, "auth.token", "bad-token").await;
    click(&browser, By::Id("run")).await;
    text_with(&browser, "error", "unauthorized").await;

    // Nothing typed reached the address bar.
    let url = browser.current_url().await.unwrap().to_string();
    assert!(!url.contains("token") && !url.contains(CALLER), "{url}");

    if let Ok(path) = std::env::var("CONSOLE_SCREENSHOT") {
        browser
            .screenshot(std::path::Path::new(&path))
            .await
            .unwrap();
    }
    browser.quit().await.unwrap();
    let _ = stop.send(());
    assert!(running.await.unwrap().unwrap());
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs chromium and chromium-driver: bash scripts/test-all.sh"]
async fn the_host_console_lists_each_connector_and_runs_its_capabilities() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let host = connector_sdk::serve::Host::new()
        .with(DemoApp::default())
        .with(connector_sdk_tests::tortoise::TortoiseApp);
    let options = ServeOptions {
        addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        access_log: false,
        ..ServeOptions::default()
    };
    let server = Server::bind_host(host, options).await.unwrap();
    let base = format!("http://{}", server.local_addr());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(server.run_until(async {
        let _ = stopped.await;
    }));
    let (_driver, browser) = open_browser().await;
    browser.goto(&base).await.unwrap();
    click(&browser, By::Id("load")).await;
    click(&browser, By::Css("button[data-capability='list_accounts']")).await;
    fill(&browser, "settings.base_url", "https://demo.example.com").await;
    fill(&browser, "auth.token", "good-token").await;
    click(&browser, By::Id("run")).await;
    text_with(&browser, "result", "user-1").await;

    // The second connector, picked from the list.
    let select = browser.find(By::Id("app")).await.unwrap();
    let choice = select.find(By::Css("option[value='1']")).await.unwrap();
    choice.click().await.unwrap();
    click(&browser, By::Css("button[data-capability='nap']")).await;
    fill(&browser, "auth.token", "t").await;
    fill(&browser, "request.millis", "1").await;
    fill(&browser, "request.tag", "42").await;
    click(&browser, By::Id("run")).await;
    text_with(&browser, "result", "\"tag\": 42").await;

    browser.quit().await.unwrap();
    let _ = stop.send(());
    assert!(running.await.unwrap().unwrap());
}
