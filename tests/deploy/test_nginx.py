"""The shipped nginx configuration (deploy/nginx/rapid.conf) in front of two ``rapid serve``
processes: session affinity by the ``rapid_node`` cookie, Streamlit's websocket through the
proxy, the browser's real address reaching the suite, and a killed process's browsers and new
browsers served by the other one.

Each process has its own data folder (DuckDB lets one process open a database file; a shared
database across processes is PostgreSQL's job): this test proves the proxy's mechanics. Which
process served a request is read from nginx's access log (``upstream="..."``), written by the
shipped ``rapid_upstream`` log format.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import re
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.browser.conftest import free_port, start_server, submit_login, wait_ready
from tests.deploy.nginx_proxy import NGINX, running_nginx, stop

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx; make test does)"
)

WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
LOG_LINE = re.compile(
    r'"(?P<method>\S+) (?P<uri>\S+)" (?P<status>\d+) \d+ upstream="(?P<upstream>[^"]*)" '
    r'affinity="(?P<affinity>[^"]*)"'
)


@dataclass
class Proxy:
    port: int
    backends: list[int]
    procs: dict[int, subprocess.Popen]
    access_log: Path

    def request(
        self,
        path: str,
        *,
        cookie: str | None = None,
        source: str = "127.0.0.1",
        headers: dict[str, str] | None = None,
        method: str = "GET",
        body: bytes | None = None,
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(source, 0)
        )
        try:
            sent = dict(headers or {})
            if cookie:
                sent["Cookie"] = f"rapid_node={cookie}"
            conn.request(method, path, body=body, headers=sent)
            resp = conn.getresponse()
            return resp.status, resp.headers, resp.read()
        finally:
            conn.close()

    def log(self) -> list[dict[str, str]]:
        """The access log's lines, parsed (nginx writes each line as its request ends)."""
        text = self.access_log.read_text() if self.access_log.exists() else ""
        return [m.groupdict() for m in map(LOG_LINE.search, text.splitlines()) if m]

    def entries(self, affinity: str, count: int, timeout: float = 10) -> list[dict[str, str]]:
        """The log lines of the requests hashed on ``affinity``, once there are ``count`` of
        them: nginx writes a line just after its response, so it may lag the client a little."""
        deadline = time.monotonic() + timeout
        while True:
            found = [e for e in self.log() if e["affinity"] == affinity]
            if len(found) >= count or time.monotonic() > deadline:
                assert len(found) == count, f"{affinity}: {count} log lines expected: {found}"
                return found

    def last_upstream(self, affinity: str, count: int) -> str:
        """Where the ``count``-th request hashed on ``affinity`` went (the addresses tried)."""
        return self.entries(affinity, count)[-1]["upstream"]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    tmp = tmp_path_factory.mktemp("nginx")
    backends = [free_port(), free_port()]
    env = {
        "RAPID_TRUSTED_PROXIES": "127.0.0.1",
        "RAPID_DEMO_ON_FIRST_START": "false",  # an admin, no demo data: a faster first start
        "RAPID_WEB_LOOKUP_PER_MINUTE": "1",  # a burst of 3 look-ups per client, then 429
    }
    procs: dict[int, subprocess.Popen] = {}
    try:
        for port in backends:
            data = tmp / f"node-{port}" / "data"
            data.parent.mkdir()
            procs[port] = start_server(data, port, env)
        for port in backends:
            wait_ready(f"http://127.0.0.1:{port}", procs[port], timeout=120)
        with running_nginx(tmp, backends) as listen:
            yield Proxy(listen, backends, procs, tmp / "rapid.access.log")
    except Exception:
        for port in backends:
            log = tmp / f"node-{port}" / f"server-{port}.log"
            if log.exists():
                print(f"--- rapid serve on {port}:\n{log.read_text(errors='replace')[-3000:]}")
        if (tmp / "error.log").exists():
            print(f"--- nginx error.log:\n{(tmp / 'error.log').read_text()[-3000:]}")
        raise
    finally:
        for proc in procs.values():
            stop(proc)


def node_cookie(headers: http.client.HTTPMessage) -> str | None:
    for value in headers.get_all("Set-Cookie") or []:
        if value.startswith("rapid_node="):
            return value
    return None


def new_browsers(proxy: Proxy, count: int) -> dict[str, str]:
    """``count`` cookie-less first visits: {their rapid_node cookie: the process that served it}."""
    found: dict[str, str] = {}
    for _ in range(count):
        status, headers, _ = proxy.request("/_stcore/health")
        assert status == 200
        cookie = node_cookie(headers)
        assert cookie is not None
        value = cookie.split(";", 1)[0].split("=", 1)[1]
        found[value] = proxy.last_upstream(value, 1)
    return found


def test_citizen_page_through_the_proxy_sets_the_affinity_cookie(proxy: Proxy) -> None:
    status, headers, body = proxy.request("/khai-bao", headers={"Accept-Language": "vi"})
    assert status == 200
    assert b"<form" in body
    for name in ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options"):
        assert headers.get(name), f"{name} missing behind the proxy"
    cookie = node_cookie(headers)
    assert cookie is not None, "nginx set no rapid_node cookie on a first visit"
    attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
    assert {"path=/", "httponly", "samesite=lax"} <= attributes
    assert "secure" not in attributes  # plain HTTP here; `; Secure` comes with https
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert re.fullmatch(r"[0-9a-f]{32}", value)  # nginx's $request_id

    # a browser that has the cookie is not given another
    status, headers, _ = proxy.request("/khai-bao", cookie=value)
    assert status == 200
    assert node_cookie(headers) is None


def test_a_cookie_keeps_its_browser_on_one_process(proxy: Proxy) -> None:
    browsers = new_browsers(proxy, 24)
    backends = {f"127.0.0.1:{p}" for p in proxy.backends}
    assert set(browsers.values()) == backends, "new browsers were not spread over both processes"
    for cookie, first in list(browsers.items())[:6]:
        for path in ("/khai-bao", "/_stcore/health", "/tra-cuu", "/_stcore/host-config"):
            status, _, _ = proxy.request(path, cookie=cookie)
            assert status == 200, path
        # an upload (refused by the process: no such Streamlit session) goes there too
        proxy.request("/_stcore/upload_file/s/f", cookie=cookie, method="PUT", body=b"x")
        assert {e["upstream"] for e in proxy.entries(cookie, 6)} == {first}


def websocket_handshake(proxy: Proxy, cookie: str) -> str:
    """Open Streamlit's websocket through nginx; the status line of the answer."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=15) as sock:
        sock.sendall(
            (
                "GET /_stcore/stream HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{proxy.port}\r\n"
                f"Origin: http://127.0.0.1:{proxy.port}\r\n"
                "Upgrade: websocket\r\n"
                "Connection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n"
                "Sec-WebSocket-Protocol: streamlit\r\n"
                f"Cookie: rapid_node={cookie}\r\n\r\n"
            ).encode()
        )
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(4096)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    assert head.startswith("HTTP/1.1 101") is (
        f"sec-websocket-accept: {accept}".lower() in head.lower()
    )
    return head


def test_streamlit_websocket_upgrades_through_the_proxy_to_the_cookies_process(
    proxy: Proxy,
) -> None:
    browsers = new_browsers(proxy, 8)
    cookie, upstream = next(iter(browsers.items()))
    head = websocket_handshake(proxy, cookie)
    assert head.startswith("HTTP/1.1 101"), head
    assert "upgrade: websocket" in head.lower()
    stream = proxy.entries(cookie, 2)[-1]  # its line is written once the websocket is closed
    assert (stream["uri"], stream["status"], stream["upstream"]) == (
        "/_stcore/stream",
        "101",
        upstream,
    )


def test_the_suite_sees_the_browsers_address_not_the_proxys(proxy: Proxy) -> None:
    """Look-ups are rate-limited per client address (burst 3 here). Browsers on 127.0.0.2 and
    127.0.0.3 reach nginx, which reaches the suite from 127.0.0.1 (a trusted proxy): each has
    its own budget, and a forged X-Forwarded-For does not buy a new one."""
    cookie = next(iter(new_browsers(proxy, 1)))  # one process: the limits are per process
    statuses = [
        proxy.request("/tra-cuu?ma=NOPE", cookie=cookie, source="127.0.0.2")[0] for _ in range(4)
    ]
    assert statuses[-1] == 429 and 429 not in statuses[:3], statuses
    forged = {"X-Forwarded-For": "198.51.100.7"}
    status, _, _ = proxy.request(
        "/tra-cuu?ma=NOPE", cookie=cookie, source="127.0.0.2", headers=forged
    )
    assert status == 429, "a forged X-Forwarded-For escaped the rate limit"
    status, _, _ = proxy.request("/tra-cuu?ma=NOPE", cookie=cookie, source="127.0.0.3")
    assert status != 429, "another browser shares the first one's limit: the proxy's address"


def upload(proxy: Proxy, size: int) -> tuple[int, str]:
    """PUT ``size`` bytes to Streamlit's upload route (an unknown session: refused by the
    process, if it gets that far): the status and where nginx sent it ("-": nowhere)."""
    status, headers, _ = proxy.request(
        "/_stcore/upload_file/session/file",
        method="PUT",
        body=b"x" * size,
        headers={"Content-Type": "application/octet-stream"},
    )
    cookie = node_cookie(headers)
    assert cookie is not None
    return status, proxy.last_upstream(cookie.split(";", 1)[0].split("=", 1)[1], 1)


def test_uploads_up_to_streamlits_cap_pass_and_bigger_ones_stop_at_nginx(proxy: Proxy) -> None:
    # a 20 MiB file (Streamlit's cap) in its multipart framing reaches the process
    status, upstream = upload(proxy, 20 * 1024 * 1024 + 64 * 1024)
    assert upstream.startswith("127.0.0.1:"), (status, upstream)
    # far over it: nginx answers 413 without troubling a process
    assert upload(proxy, 22 * 1024 * 1024) == (413, "-")


@pytest.mark.browser
def test_staff_pages_work_in_a_browser_through_the_proxy(proxy: Proxy, browser_page) -> None:
    """Chromium through nginx: Streamlit's login form renders and answers a submitted form
    (both over the websocket), and everything that browser asked for went to one process."""
    page = browser_page
    submit_login(page, f"http://127.0.0.1:{proxy.port}", "admin", "not-the-password")
    page.get_by_text("Tên đăng nhập hoặc mật khẩu không đúng, hoặc cần đợi").wait_for()
    (cookie,) = [c["value"] for c in page.context.cookies() if c["name"] == "rapid_node"]
    page.context.close()  # closes the websocket: nginx logs it
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        seen = [e for e in proxy.log() if e["affinity"] == cookie]
        if any(e["uri"] == "/_stcore/stream" for e in seen):
            break
        time.sleep(0.2)
    assert ("/_stcore/stream", "101") in {(e["uri"], e["status"]) for e in seen}
    assert len({e["upstream"] for e in seen}) == 1, seen


def test_a_killed_process_loses_only_its_own_sessions(proxy: Proxy) -> None:
    """Last in this module: it kills a process."""
    browsers = new_browsers(proxy, 24)
    victim_port, survivor_port = proxy.backends
    victim, survivor = f"127.0.0.1:{victim_port}", f"127.0.0.1:{survivor_port}"
    theirs = [c for c, u in browsers.items() if u == victim]
    ours = [c for c, u in browsers.items() if u == survivor]
    assert theirs and ours
    proxy.procs[victim_port].kill()
    proxy.procs[victim_port].wait(timeout=10)

    for cookie in theirs[:3]:  # the killed process's browsers: served by the other process
        status, _, body = proxy.request("/khai-bao", cookie=cookie)
        assert status == 200 and b"<form" in body
        # the first one finds the process gone and goes on to the other ("victim, survivor");
        # for the next 10 s (fail_timeout) nginx sends nothing to the victim
        assert proxy.last_upstream(cookie, 2).split(", ")[-1] == survivor
    assert proxy.request("/khai-bao", cookie=theirs[0])[0] == 200
    assert proxy.last_upstream(theirs[0], 3) == survivor  # straight there now
    for cookie in ours[:3]:  # the other process's browsers: undisturbed
        assert proxy.request("/khai-bao", cookie=cookie)[0] == 200
        assert proxy.last_upstream(cookie, 2) == survivor
    new = new_browsers(proxy, 12)  # new browsers: all to the survivor
    assert set(new.values()) == {survivor}
    head = websocket_handshake(proxy, theirs[0])  # a victim's browser reconnects its websocket
    assert head.startswith("HTTP/1.1 101"), head
    assert proxy.last_upstream(theirs[0], 4) == survivor
