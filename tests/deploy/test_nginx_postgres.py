"""Issue 15, item 4, on PostgreSQL: two ``rapid serve`` processes on ONE database behind the
shipped nginx configuration (deploy/nginx/rapid.conf). "A remembered login resumes on any
process; a process killed mid-request loses no committed data and the proxy sends new sessions
elsewhere."

- a citizen's declaration sent to one process is found by the other (the same holder cookie,
  the same rows in PostgreSQL);
- a staff login remembered by one process resumes on the other in Chromium (the ``rapid_node``
  cookie switched to one that nginx hashes to the other process);
- ``kill -9`` of one process while declarations are in flight through the proxy: every pass a
  citizen was shown is in the database, no declaration is half-written (declaration, pass token
  and holder row together or not at all), the only failures are the requests in flight at the
  kill, and new browsers all go to the surviving process.

Both processes share one data folder (the signing keys and the web secret must be the same) and
one database of the session's throwaway PostgreSQL cluster (``pg_cluster``, skipped when
PostgreSQL is not installed); the first process seeds the demo and is ready before the second
starts, so the two do not race to set the database up. Which process served a request is read
from nginx's access log, as in ``test_nginx.py``, whose helpers this module reuses.
"""

from __future__ import annotations

import hashlib
import http.client
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import pytest

from benchmarks.web_common import UNLIMITED, declaration_body, form_fields, person, ward_code
from tests.browser.conftest import free_port, login, start_server, wait_ready
from tests.deploy.nginx_proxy import NGINX, running_nginx, stop
from tests.deploy.test_nginx import Proxy, new_browsers

pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (Debian: apt-get install nginx; make test does)"
)

DATABASE = "rapid_nginx_pg"
DONE = "Đã nhận tờ khai"  # the pass page's heading (hd.declare.done)
MINE = "Thẻ của bạn"  # /tra-cuu's heading for a pass this phone holds (hd.mine.title)
VI = {"Accept-Language": "vi"}


@dataclass
class Cluster:
    """Two ``rapid serve`` processes on one PostgreSQL database, nginx in front."""

    proxy: Proxy
    database_url: str
    logs: dict[int, Path]
    tmp: Path

    def upstream(self, port: int) -> str:
        return f"127.0.0.1:{port}"

    def rows(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.database_url) as con:
            return con.execute(sql, params or []).fetchall()

    def tails(self) -> str:
        parts = [
            f"--- rapid serve on {port}:\n{log.read_text(errors='replace')[-3000:]}"
            for port, log in self.logs.items()
            if log.exists()
        ]
        error_log = self.tmp / "error.log"
        if error_log.exists():
            parts.append(f"--- nginx error.log:\n{error_log.read_text(errors='replace')[-3000:]}")
        return "\n".join(parts)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, pg_cluster: Any) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("nginx-pg")
    database_url = pg_cluster.create_database(DATABASE)
    data = tmp / "shared" / "data"  # ONE data folder: the same keys and web secret
    data.parent.mkdir()
    backends = [free_port(), free_port()]
    env = {
        "RAPID_DATABASE_URL": database_url,
        "RAPID_TRUSTED_PROXIES": "127.0.0.1",
        **UNLIMITED,  # every request comes through nginx from one address
    }
    logs = {port: data.parent / f"server-{port}.log" for port in backends}
    procs: dict[int, subprocess.Popen] = {}
    found = Cluster(Proxy(0, backends, procs, tmp / "rapid.access.log"), database_url, logs, tmp)
    try:
        for port in backends:  # one after the other: the first seeds the demo
            procs[port] = start_server(data, port, env)
            wait_ready(f"http://127.0.0.1:{port}", procs[port], timeout=240)
        with running_nginx(tmp, backends) as listen:
            found.proxy.port = listen
            yield found
    except Exception:
        print(found.tails())
        raise
    finally:
        for proc in procs.values():
            stop(proc)
        pg_cluster.drop_database(DATABASE)


@pytest.fixture(autouse=True)
def _log_tails_on_failure(request: pytest.FixtureRequest, cluster: Cluster) -> Iterator[None]:
    """The servers' and nginx's log tails when the test failed (shown with its report)."""
    failed = request.session.testsfailed
    yield
    if request.session.testsfailed > failed:
        print(cluster.tails())


# -- a citizen's declaration over plain HTTP ------------------------------------------------------


def _cookies(resp: http.client.HTTPResponse) -> dict[str, str]:
    out = {}
    for value in resp.headers.get_all("Set-Cookie") or []:
        name, _, rest = value.split(";", 1)[0].partition("=")
        out[name] = rest
    return out


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items() if v)


def get(port: int, path: str, cookies: dict[str, str]) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={**VI, "Cookie": _cookie_header(cookies)})
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace"), _cookies(resp)
    finally:
        conn.close()


class Refused(Exception):
    """The form page itself was not served (its status)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"GET /khai-bao: {status}")
        self.status = status


def declare(
    port: int,
    serial: int,
    *,
    node: str | None = None,
    name: str | None = None,
    posting: Callable[[], None] | None = None,
) -> tuple[int, str, dict[str, str]]:
    """One person: GET /khai-bao, POST the answers with that page's form token and session
    cookie (and ``rapid_node=node`` both times, for nginx; ``posting()`` is called just before
    the POST is sent). The POST's status, page and the
    cookies it set. Raises OSError when a connection fails."""
    cookies = {"rapid_node": node} if node else {}
    status, page, got = get(port, "/khai-bao", cookies)
    assert status == 200, f"GET /khai-bao: {status}"
    cookies.update(got)
    csrf, shown = form_fields(page)
    body = declaration_body(serial, csrf, shown, ward_code())
    if name is not None:
        body = urlencode(
            [
                (k, name if k == "full_name" else v)
                for k, v in parse_qsl(body, keep_blank_values=True)
            ]
        )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {
            **VI,
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": _cookie_header(cookies),
        }
        if posting is not None:
            posting()
        conn.request("POST", "/khai-bao", body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace"), _cookies(resp)
    finally:
        conn.close()


def counts(cluster: Cluster, first: int, last: int) -> dict[str, int]:
    """Rows of the serials ``first`` .. ``last``: declarations, their HD1 pass tokens, holders."""
    span = [person(first)[0], person(last)[0]]
    queries = {
        "declarations": "SELECT count(*) FROM hd_declarations WHERE person_id BETWEEN %s AND %s",
        "passes": "SELECT count(DISTINCT q.token_id) FROM hd_declarations d JOIN qr_tokens q"
        " ON q.token_id = d.token_id WHERE q.prefix = 'HD1:' AND d.person_id BETWEEN %s AND %s",
        "holders": "SELECT count(*) FROM hd_holders h JOIN hd_declarations d"
        " ON d.id = h.declaration_id WHERE d.person_id BETWEEN %s AND %s",
    }
    return {k: int(cluster.rows(sql, span)[0][0]) for k, sql in queries.items()}


def test_both_processes_serve_one_database(cluster: Cluster) -> None:
    first, second = cluster.proxy.backends
    serial, name = 400_001, "Trần Thị Chung Cơ Sở"
    status, page, cookies = declare(first, serial, name=name)
    assert status == 200 and DONE in page, page[:2000]
    holder = cookies.get("rapid_hd_holder")
    assert holder, f"no holder cookie on the pass page: {cookies}"

    # the other process, same phone (cookie): the same pass
    status, page, _ = get(second, "/tra-cuu", {"rapid_hd_holder": holder})
    assert status == 200 and MINE in page and name in page, page[:2000]
    # and a phone without the cookie is not shown it
    status, page, _ = get(second, "/tra-cuu", {})
    assert status == 200 and name not in page

    cccd = person(serial)[0]
    assert cluster.rows("SELECT full_name FROM hd_declarations WHERE person_id = %s", [cccd]) == [
        (name,)
    ]
    assert counts(cluster, serial, serial) == {"declarations": 1, "passes": 1, "holders": 1}


# -- staff: a remembered login resumes on the other process ---------------------------------------


def stream_lines(cluster: Cluster, affinity: str, timeout: float = 15) -> list[dict[str, str]]:
    """The access log's lines of ``affinity`` once its websocket's line is there (nginx writes
    it when the websocket closes)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = [e for e in cluster.proxy.log() if e["affinity"] == affinity]
        if any(e["uri"] == "/_stcore/stream" for e in seen) or time.monotonic() > deadline:
            return seen
        time.sleep(0.2)


@pytest.mark.browser
def test_a_remembered_login_resumes_on_the_other_process(cluster: Cluster, browser) -> None:
    base = f"http://127.0.0.1:{cluster.proxy.port}"
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    try:
        page = context.new_page()
        page.set_default_timeout(60_000)
        login(page, base, "officer")
        page.wait_for_function("document.cookie.includes('rapid_session=')")
        (token,) = [c["value"] for c in context.cookies() if c["name"] == "rapid_session"]
        key = hashlib.sha256(token.encode()).hexdigest()  # login_sessions keeps the hash only
        ((before,),) = cluster.rows(
            "SELECT last_seen FROM login_sessions WHERE token_hash = %s", [key]
        )
        (pinned,) = [c["value"] for c in context.cookies() if c["name"] == "rapid_node"]
        served = {e["upstream"] for e in cluster.proxy.log() if e["affinity"] == pinned}
        assert len(served) == 1, served
        (here,) = served
        there = next(
            cookie
            for cookie, upstream in new_browsers(cluster.proxy, 20).items()
            if upstream != here
        )
        other = cluster.proxy.last_upstream(there, 1)

        # the same browser (its login cookie kept), now hashed to the other process
        context.add_cookies(
            [
                {
                    "name": "rapid_node",
                    "value": there,
                    "domain": "127.0.0.1",
                    "path": "/",
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
        assert {c["value"] for c in context.cookies() if c["name"] == "rapid_node"} == {there}
        page.reload()
        page.get_by_text("Xin chào").wait_for()
        assert page.get_by_role("button", name="Đăng nhập").count() == 0
    finally:
        context.close()  # closes the websocket: nginx logs it

    seen = stream_lines(cluster, there)
    assert ("/_stcore/stream", "101") in {(e["uri"], e["status"]) for e in seen}, seen
    assert {e["upstream"] for e in seen} == {other}, seen
    # the one remembered login (its row in PostgreSQL) was used again by the resume
    (row,) = cluster.rows(
        "SELECT u.username, s.last_seen FROM login_sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = %s",
        [key],
    )
    assert row[0] == "officer" and row[1] > before, (row, before)


# -- a process killed mid-request ------------------------------------------------------------------

DECLARATIONS, THREADS, KILL_AFTER = 40, 8, 10
FIRST_SERIAL = 410_000
IN_FLIGHT_GRACE_S = 1.0
"""A request started this long after the kill still counts as in flight: nginx may have handed
it an idle keepalive connection to the killed process before noticing that process was gone."""


@dataclass
class Outcome:
    serial: int
    node: str
    started: float
    ended: float
    status: int | None = None  # the POST's status; None: a connection failed
    passed: bool = False
    holder: str | None = None
    error: str = ""


def test_a_killed_process_loses_no_committed_data(cluster: Cluster) -> None:
    """Last in this module: it kills a process."""
    proxy = cluster.proxy
    victim_port, survivor_port = proxy.backends
    victim, survivor = cluster.upstream(victim_port), cluster.upstream(survivor_port)
    browsers = new_browsers(cluster.proxy, 16)
    assert set(browsers.values()) == {victim, survivor}, browsers
    nodes = list(browsers)

    outcomes: list[Outcome] = []
    lock = threading.Lock()
    serials = iter(range(FIRST_SERIAL, FIRST_SERIAL + DECLARATIONS))
    enough = threading.Event()
    posting: dict[int, str] = {}  # serial: node, of the POSTs sent and not yet answered

    def work() -> None:
        while True:
            with lock:
                serial = next(serials, None)
            if serial is None:
                return
            node = nodes[serial % len(nodes)]
            out = Outcome(serial, node, time.monotonic(), 0.0)

            def sending(serial: int = serial, node: str = node) -> None:
                with lock:
                    posting[serial] = node

            try:
                out.status, page, cookies = declare(proxy.port, serial, node=node, posting=sending)
                out.passed = out.status == 200 and DONE in page
                out.holder = cookies.get("rapid_hd_holder")
            except (OSError, http.client.HTTPException) as exc:
                out.error = repr(exc)
            except Refused as exc:  # the GET of the form failed
                out.status, out.error = exc.status, str(exc)
            except Exception as exc:  # noqa: BLE001 - anything else: reported as a failure
                out.status, out.error = -1, repr(exc)
            out.ended = time.monotonic()
            with lock:
                posting.pop(serial, None)
                outcomes.append(out)
                if sum(o.passed for o in outcomes) >= KILL_AFTER:
                    enough.set()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    assert enough.wait(timeout=120), "no declarations got through before the kill"
    # kill the victim while a declaration's POST is on its way to it or being handled there
    cut: list[int] = []
    deadline = time.monotonic() + 60
    while not cut and time.monotonic() < deadline:
        with lock:
            cut = sorted(s for s, n in posting.items() if browsers[n] == victim)
            if cut:
                killed_at = time.monotonic()
                proxy.procs[victim_port].send_signal(signal.SIGKILL)
        time.sleep(0.001)
    assert cut, "no POST to the victim was in flight to kill it under"
    proxy.procs[victim_port].wait(timeout=10)
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert len(outcomes) == DECLARATIONS

    passed = [o for o in outcomes if o.passed]
    failed = [o for o in outcomes if not o.passed]
    in_flight = [o for o in outcomes if o.started <= killed_at < o.ended]
    span = [person(FIRST_SERIAL)[0], person(FIRST_SERIAL + DECLARATIONS - 1)[0]]
    stored = {
        row[0]
        for row in cluster.rows(
            "SELECT person_id FROM hd_declarations WHERE person_id BETWEEN %s AND %s", span
        )
    }
    rows = counts(cluster, FIRST_SERIAL, FIRST_SERIAL + DECLARATIONS - 1)
    print(
        f"{len(passed)} passes shown, {len(stored)} declarations stored ({rows}),"
        f" {len(in_flight)} in flight at the kill, POSTs cut on the victim: {cut};"
        f" failed: {[(o.serial, o.status, o.error[:80]) for o in failed]}"
    )
    assert in_flight, "the kill came when no declaration was in flight"
    # the victim was working: it had served passes before the kill
    posts = [e for e in proxy.log() if e["method"] == "POST" and e["uri"] == "/khai-bao"]
    assert any(e["upstream"] == victim and e["status"] == "200" for e in posts), posts

    # failures: only requests in flight at the kill, and only a lost connection or nginx's 502
    for o in failed:
        assert o.started <= killed_at + IN_FLIGHT_GRACE_S and o.ended >= killed_at, o
        assert o.status in (None, 502), o

    # nothing lost: every pass shown is stored; nothing half-written: each stored declaration
    # has its HD1 pass token and its holder row
    shown = {person(o.serial)[0] for o in passed}
    assert shown <= stored, f"passes shown but not stored: {shown - stored}"
    assert stored <= {person(o.serial)[0] for o in outcomes}
    assert rows == {k: len(stored) for k in rows}, rows

    # passes the killed process gave are kept: the survivor shows them to their phones
    victims_passes = [o for o in passed if browsers[o.node] == victim and o.holder][:3]
    assert victims_passes
    for o in victims_passes:
        status, page, _ = get(
            proxy.port, "/tra-cuu", {"rapid_node": o.node, "rapid_hd_holder": o.holder}
        )
        assert status == 200 and MINE in page

    # new browsers: all served by the survivor
    new = new_browsers(cluster.proxy, 12)
    assert set(new.values()) == {survivor}, new
    for node in list(new)[:4]:
        status, page, _ = get(proxy.port, "/khai-bao", {"rapid_node": node})
        assert status == 200 and "<form" in page
        assert proxy.last_upstream(node, 2) == survivor
