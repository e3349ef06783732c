"""The workspace behind a real TLS-terminating reverse proxy (Debian's nginx) with a self-signed certificate.

With ``serve --forwarded-allow-ips 127.0.0.1`` the scheme and host the proxy forwards are the ones the
Origin check compares, cookies are Secure and HSTS is sent; a server that trusts no proxy refuses the
browser's https Origin (the bug of issue #14 point 1).  The proxy deliberately does not pass the browser's
``Host`` on (nginx's default sends the upstream address), so only ``X-Forwarded-Host`` carries it.
Skipped with the install command when nginx or openssl is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from review_fixture import SCORECARD_ID, build_review_db, csrf_of, free_port, start_server, stop_server

from qa_pipeline.store.db import connect

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
OPENSSL = shutil.which("openssl")

pytestmark = pytest.mark.skipif(
    not (NGINX and OPENSSL), reason="needs nginx and openssl: apt-get install -y nginx-light openssl"
)

NGINX_CONF = """
daemon off;
master_process off;
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fcgi;
    uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {d}/cert.pem;
        ssl_certificate_key {d}/key.pem;
        location / {{
            proxy_pass http://{upstream};
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Host $http_host;
        }}
    }}
}}
"""


def start_proxy(tmp: Path, upstream: str) -> tuple[subprocess.Popen, str]:
    tmp.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            OPENSSL,
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(tmp / "key.pem"),
            "-out",
            str(tmp / "cert.pem"),
        ],
        check=True,
        capture_output=True,
    )
    port = free_port()
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(d=tmp, port=port, upstream=upstream.removeprefix("http://")))
    proc = subprocess.Popen(
        [NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"nginx exited: {proc.stderr.read().decode(errors='replace')}")
        try:
            if requests.get(base + "/healthz", verify=str(tmp / "cert.pem"), timeout=1).status_code == 200:
                return proc, base
        except requests.RequestException:
            time.sleep(0.1)
    proc.terminate()
    raise RuntimeError("nginx did not answer")


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    return build_review_db(tmp_path_factory.mktemp("review-proxy"), tmp_path_factory.mktemp("clips"))


@pytest.fixture()
def proxied(fx, tmp_path, request):
    """(https base through nginx, server process) for a server started with the given extra flags."""
    server, upstream = start_server(fx.db, *request.param)
    proxy, base = start_proxy(tmp_path / "nginx", upstream)
    yield base, tmp_path / "nginx" / "cert.pem"
    proxy.terminate()
    proxy.wait(timeout=10)
    stop_server(server)


def _https_session(cert: Path) -> requests.Session:
    """HTTPS that verifies the proxy's certificate (the test's own self-signed one)."""
    s = requests.Session()
    s.trust_env = False  # a REQUESTS_CA_BUNDLE in the environment would replace the certificate
    s.verify = str(cert)
    return s


def _login(s: requests.Session, base: str, fx, username: str) -> requests.Response:
    page = s.get(base + "/login")
    return s.post(
        base + "/login",
        allow_redirects=False,
        headers={"origin": base},
        data={"csrf": csrf_of(page.text), "username": username, "password": fx.passwords[username][1], "next": ""},
    )


@pytest.mark.parametrize("proxied", [()], indirect=True)
def test_a_server_that_trusts_no_proxy_refuses_the_https_origin(proxied, fx):
    base, cert = proxied
    r = _login(_https_session(cert), base, fx, "alice")
    assert r.status_code == 403 and "Form expired" in r.text
    assert "strict-transport-security" not in r.headers


@pytest.mark.parametrize("proxied", [("--forwarded-allow-ips", "127.0.0.1")], indirect=True)
def test_sign_in_override_sign_out_through_a_tls_proxy_with_real_https_requests(proxied, fx):
    proxied, cert = proxied
    s = _https_session(cert)
    r = _login(s, proxied, fx, "alice")
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/queue"
    cookie = r.headers["set-cookie"].lower()
    assert "qa_session=" in cookie and "; secure" in cookie and "httponly" in cookie
    assert r.headers["strict-transport-security"].startswith("max-age=")
    f = fx.featured
    page = s.get(proxied + f"/calls/{f.call_id}")
    assert page.status_code == 200 and page.headers["strict-transport-security"]
    r = s.post(
        proxied + f"/calls/{f.call_id}/override",
        allow_redirects=False,
        headers={"origin": proxied},
        data={
            "csrf": csrf_of(page.text),
            "scorecard_id": SCORECARD_ID,
            "criterion_id": "empathy",
            "verdict": "pass",
            "reason": "apologised in other words",
        },
    )
    assert r.status_code == 303, r.text
    with connect(fx.db, read_only=True) as con:
        assert ("alice", "pass") in con.execute(
            "SELECT username, new_verdict FROM overrides WHERE call_id = ?", [f.call_id]
        ).fetchall()
    # Another site's Origin is still refused behind the proxy.
    page = s.get(proxied + "/queue")
    evil = s.post(
        proxied + "/logout",
        allow_redirects=False,
        headers={"origin": "https://evil.example"},
        data={"csrf": csrf_of(page.text)},
    )
    assert evil.status_code == 403
    r = s.post(
        proxied + "/logout", allow_redirects=False, headers={"origin": proxied}, data={"csrf": csrf_of(page.text)}
    )
    assert r.status_code == 303
    assert s.get(proxied + "/queue", allow_redirects=False).status_code == 303


@pytest.mark.browser
@pytest.mark.parametrize("proxied", [("--forwarded-allow-ips", "127.0.0.1")], indirect=True)
def test_headless_chromium_signs_in_overrides_and_signs_out_through_the_tls_proxy(proxied, fx, tmp_path):
    proxied, _ = proxied
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from test_review_browser import CHROMEDRIVER, CHROMIUM, click, wait_for

    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("needs Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--ignore-certificate-errors",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--mute-audio",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1440,1000",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        f = fx.featured
        driver.get(proxied + "/login")
        driver.find_element(By.ID, "username").send_keys("adam")
        driver.find_element(By.ID, "password").send_keys(fx.passwords["adam"][1])
        driver.find_element(By.ID, "signin").click()
        wait_for(lambda: "/login" not in driver.current_url, what="sign-in through the proxy")
        assert driver.current_url.startswith(proxied + "/queue")
        assert next(c for c in driver.get_cookies() if c["name"] == "qa_session")["secure"] is True
        driver.get(proxied + f"/calls/{f.call_id}")
        crit = driver.find_element(By.ID, f"crit-{SCORECARD_ID}-closing")
        click(driver, crit.find_element(By.CSS_SELECTOR, "details.override summary"))
        click(driver, crit.find_element(By.CSS_SELECTOR, "input[name=verdict][value=fail]"))
        crit.find_element(By.CSS_SELECTOR, "textarea[name=reason]").send_keys("Closing was cut short.")
        click(driver, crit.find_element(By.CSS_SELECTOR, "form.override-form button"))
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".flash-ok"), what="override saved through the proxy")
        with connect(fx.db, read_only=True) as con:
            assert ("adam", "fail") in con.execute(
                "SELECT username, new_verdict FROM overrides WHERE call_id = ? AND criterion_id = 'closing'",
                [f.call_id],
            ).fetchall()
        click(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/logout'] button"))
        wait_for(lambda: "/login" in driver.current_url, what="signed out")
        driver.get(proxied + "/queue")
        assert "/login" in driver.current_url
    finally:
        driver.quit()
