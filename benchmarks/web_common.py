"""Shared set-up of the light-page benchmarks (``web_page_weight``, ``web_declare_cpu``,
``web_load``, ``pg_processes``): a real ``rapid serve`` on a fresh data folder and a free loopback
port (started and stopped as ``tests/browser/conftest.py`` does), the server process's own CPU
time, one declaration over plain HTTP, the same declaration through the Streamlit staff page in
Chromium, and the rows counted in the database: a DuckDB file once the server has stopped (DuckDB
holds one writer), a PostgreSQL database (``RAPID_DATABASE_URL``) at any time.

Run directly, it measures the Streamlit path against a server someone else started (``web_load``
does this in a child process: Playwright's sync API and locust's gevent do not share a process)::

    web_common.py streamlit-cpu URL PID N FIRST_SERIAL   # N declarations through the staff page
    web_common.py streamlit-visit URL PID N              # N first visits of the login page
    # both print "streamlit_cpu_s <server CPU seconds> wall_s <seconds>"
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import (  # noqa: E402 - the tests' server and browser, not a copy
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    login,
    start_server,
    wait_ready,
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DECLARE_PATH = "/khai-bao"
CHECKIN_PATH = "/check-in"
STREAMLIT_DECLARE_PATH = "/health_declaration-declare_for"
WARD_NAME = "Phường Hải Châu"
BIRTH_YEAR = 1990
RAISED_TO = 1_000_000
UNLIMITED = {
    "RAPID_WEB_SUBMIT_PER_MINUTE": str(RAISED_TO),
    "RAPID_WEB_LOOKUP_PER_MINUTE": str(RAISED_TO),
    "RAPID_APPS__HEALTH_DECLARATION__DECLARE_PER_CLIENT_PER_MINUTE": str(RAISED_TO),
}
"""Per-client rate limits raised in the server's environment: every request of a benchmark
comes from 127.0.0.1, which these limits (30 form posts a minute per client, declarations a
third of that) exist to stop. The per-identity quotas (declarations per CCCD and per phone
number an hour) stay as shipped: every benchmark person has their own CCCD and phone."""


def limits_note() -> str:
    """The line each benchmark prints about the limits it raised."""
    names = ", ".join(f"{k}={v}" for k, v in UNLIMITED.items())
    return (
        f"per-client limits raised in the server's environment ({names}): all requests come"
        " from one address here, which those limits exist to stop; per-CCCD and per-phone"
        " quotas as shipped (one declaration per person)"
    )


_CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
_SHOWN = re.compile(r'name="_shown" value="([^"]+)"')


def load() -> str:
    """The load average and the CPU time of a fixed piece of Python (``yardstick``): on a shared
    machine every CPU figure here grows with the others' work, and this says by how much."""
    one, five, fifteen = os.getloadavg()
    return (
        f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} cores);"
        f" yardstick {yardstick():.0f} ms of CPU"
    )


def yardstick() -> float:
    """Milliseconds of this process's CPU for one million multiply-adds in Python: the same
    work every time, so two runs' figures compare once divided by their yardsticks."""
    start = time.process_time()
    total = 0
    for i in range(1_000_000):
        total += i * i
    return 1000 * (time.process_time() - start)


def texts() -> dict[str, str]:
    """The Vietnamese texts the benchmarks look for, from the app's own messages."""
    from core.i18n import t_in

    return {
        "done": t_in("vi", "hd.declare.done"),
        "checked_in": t_in("vi", "hd.checkin.done", name="", at="").split(":")[0],
        "submit": t_in("vi", "hd.declare.submit"),
    }


def ward_code() -> int:
    from core import geo

    return next(w.code for w in geo.wards(geo.DA_NANG) if w.name == WARD_NAME)


def person(serial: int) -> tuple[str, str]:
    """A distinct, valid (CCCD, phone) per serial: CCCD 04819 + 1 + serial (a woman born in 1990
    in Da Nang), phone 090 + serial. The demo's people have serials below 100,000."""
    from core import geo
    from core.forms.identity import compose_cccd

    return compose_cccd(geo.DA_NANG, BIRTH_YEAR, "F", serial), f"090{serial:07d}"


def form_fields(page_html: str) -> tuple[str, str]:
    """The form token and the ``_shown`` list of a form page."""
    csrf, shown = _CSRF.search(page_html), _SHOWN.search(page_html)
    if csrf is None or shown is None:
        raise ValueError("no form token in the page")
    return csrf.group(1), shown.group(1)


def declaration_body(serial: int, csrf: str, shown: str, ward: int) -> str:
    """The answers a person sends from ``/khai-bao`` (the defaults left as the page has them)."""
    cccd, phone = person(serial)
    return urlencode(
        {
            "_csrf": csrf,
            "_shown": shown,
            "full_name": "Lê Thị Đo Tải",
            "birth_year": BIRTH_YEAR,
            "sex": "F",
            "nationality": "VN",
            "id_kind": "cccd",
            "person_id": cccd,
            "phone": phone,
            "province_code": 48,
            "ward_code": ward,
            "street": "5 Hùng Vương",
            "workplace": "",
            "vaccine_doses": "0",
            "committed": "yes",
        }
    )


def one_tap_body(page_html: str, venue_token: str) -> str:
    """The one-tap check-in form of a page (a pass this phone holds): its token and its ``n``."""
    for form in re.findall(r"<form\b.*?</form>", page_html, re.S):
        tap, csrf = re.search(r'name="n" value="([^"]+)"', form), _CSRF.search(form)
        if tap and csrf:
            return urlencode({"_csrf": csrf.group(1), "v": venue_token, "n": tap.group(1)})
    raise ValueError("no one-tap check-in on the page")


# -- the server -------------------------------------------------------------------------------------


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    data_dir: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def db(self) -> Path:
        return self.data_dir / "rapid.duckdb"

    def cpu(self) -> float:
        return process_cpu(self.pid)


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system, every thread) a process has used: ``/proc/<pid>/stat``.
    ``rapid serve`` execs Streamlit, so the process started is the server itself."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def workdir() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="web-bench-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def rapid_server(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[Server]:
    """``rapid serve`` on ``data_dir`` (the small demo is seeded on the first start) and a free
    loopback port; stopped on exit (killed after 15 s), its log's end printed if it fails."""
    port = free_port()
    proc = start_server(data_dir, port, env)
    url = f"http://127.0.0.1:{port}"
    log = data_dir.parent / f"server-{port}.log"
    try:
        wait_ready(url, proc)
        yield Server(url, proc, data_dir)
    except BaseException:
        if log.exists():
            print(log.read_text(errors="replace")[-3000:])
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def server_env(data_dir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment ``rapid`` gets here: none of the caller's ``RAPID_*`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env.update(RAPID_DATA_DIR=str(data_dir), **(extra or {}))
    return env


_PREPARE = """
from core.cli.main import open_store
from core.demo import prepare
with open_store() as store:
    prepare(store, seed=True)
"""


def prepare_data(data_dir: Path, env: dict[str, str] | None = None) -> None:
    """What ``rapid serve`` does before it serves, on a fresh ``data_dir``: keys, database and
    the small demo (its venues), in a child process, so the database can be read before the
    server starts (DuckDB holds one writer) and the server starts once. ``env``: the extras the
    server will get (``RAPID_DATABASE_URL`` for PostgreSQL)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-c", _PREPARE], env=server_env(data_dir, env), cwd=ROOT, check=True
    )


def venue_token(data_dir: Path) -> str:
    """The poster link's token of the demo's first open venue (the server stopped)."""
    return str(
        scalar(
            data_dir / "rapid.duckdb",
            "SELECT t.token_text FROM hd_venues v JOIN qr_tokens t USING (token_id)"
            " WHERE v.status = 'open' ORDER BY v.id LIMIT 1",
        )
    )


# -- one declaration over plain HTTP ------------------------------------------------------------------


def declare_http(
    url: str, serial: int, ward: int, done: str, cpu: Callable[[], float] | None = None
) -> tuple[float, float]:
    """One person on a new connection with no cookies: GET ``/khai-bao``, POST the answers with
    that page's form token and the session cookie it set, and check the pass page came back.
    With ``cpu`` (the server's CPU clock), returns the server CPU seconds of the GET and of the
    POST (one client at a time: nothing else runs on the server meanwhile)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    clock = cpu or (lambda: 0.0)
    try:
        t0 = clock()
        conn.request("GET", DECLARE_PATH, headers={"accept-encoding": "gzip"})
        resp = conn.getresponse()
        page = _body(resp)
        t1 = clock()
        if resp.status != 200:
            raise RuntimeError(f"GET {DECLARE_PATH}: {resp.status}")
        cookies = "; ".join(
            v.split(";", 1)[0] for k, v in resp.getheaders() if k.lower() == "set-cookie"
        )
        csrf, shown = form_fields(page)
        t2 = clock()
        conn.request(
            "POST",
            DECLARE_PATH,
            body=declaration_body(serial, csrf, shown, ward),
            headers={
                "accept-encoding": "gzip",
                "content-type": "application/x-www-form-urlencoded",
                "cookie": cookies,
            },
        )
        resp = conn.getresponse()
        page = _body(resp)
        t3 = clock()
        if resp.status != 200 or done not in page:
            raise RuntimeError(f"POST {DECLARE_PATH}: {resp.status}, no pass page")
    finally:
        conn.close()
    return t1 - t0, t3 - t2


def _body(resp: http.client.HTTPResponse) -> str:
    import gzip

    data = resp.read()
    if resp.getheader("content-encoding") == "gzip":
        data = gzip.decompress(data)
    return data.decode()


# -- one declaration through the Streamlit staff page ---------------------------------------------------


LOOPBACK_ONLY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
"""Other hosts (the Streamlit front end asks one for an icon) fail at once, unresolved."""


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's Chromium with the tests' flags, kept to the loopback address."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, LOOPBACK_ONLY], headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def declare_streamlit(page, url: str, serial: int, done: str, submit: str) -> None:
    """Open the staff declaration page (a page load: a new Streamlit session, the login resumed
    from its cookie), fill the form as a person does, send it, and wait for the pass and its QR."""
    try:
        _declare_streamlit(page, url, serial, done, submit)
    except Exception:
        shown = page.locator("body").inner_text(timeout=5_000)[:1500]
        print(f"the Streamlit page at {page.url} shows:\n{shown}", file=sys.stderr)
        raise


def _declare_streamlit(page, url: str, serial: int, done: str, submit: str) -> None:
    cccd, phone = person(serial)
    page.goto(f"{url}{STREAMLIT_DECLARE_PATH}")
    main = page.get_by_test_id("stMain")
    main.get_by_label("Họ và tên").fill("Lê Thị Đo Tải")
    main.get_by_label("Năm sinh").fill(str(BIRTH_YEAR))
    main.get_by_text("Nữ", exact=True).click()
    main.get_by_label("Số CCCD / hộ chiếu").fill(cccd)
    main.get_by_label("Số điện thoại").fill(phone)
    main.get_by_label("Phường/xã").click()
    page.keyboard.type(WARD_NAME.split(" ", 1)[1])  # the list is long: type to filter it
    page.get_by_role("option", name=WARD_NAME).click()
    main.get_by_label("Số nhà, đường").fill("5 Hùng Vương")
    main.get_by_text("Tôi cam kết thông tin khai là đúng sự thật", exact=False).click()
    main.get_by_role("button", name=submit).click()
    main.get_by_text(done).wait_for()
    main.get_by_test_id("stImage").first.wait_for()


def streamlit_cpu(url: str, pid: int, n: int, first: int) -> tuple[float, float]:
    """Server CPU seconds and wall seconds of ``n`` declarations through the Streamlit page, by
    one officer in one browser (logged in once, one warm-up declaration first, not counted).
    Uses serials ``first`` .. ``first + n`` (the last one is the warm-up)."""
    words = texts()
    with chromium() as browser:
        context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        login(page, url, "officer")
        declare_streamlit(page, url, first + n, words["done"], words["submit"])  # warm-up
        page.wait_for_timeout(1000)
        cpu0, wall0 = process_cpu(pid), time.perf_counter()
        for i in range(n):
            declare_streamlit(page, url, first + i, words["done"], words["submit"])
        page.wait_for_timeout(1000)  # the last page's trailing work (its QR image, session end)
        cpu, wall = process_cpu(pid) - cpu0, time.perf_counter() - wall0 - 1.0
        context.close()
    return cpu, wall


def streamlit_visit_cpu(url: str, pid: int, n: int) -> tuple[float, float]:
    """Server CPU seconds and wall seconds of ``n`` first visits of a Streamlit page by a phone
    with no cookies (the login page: what anyone opening a Streamlit link gets first), each in a
    fresh context until its form is shown and its session has ended. One warm-up visit first."""

    def visit(browser) -> None:
        context = browser.new_context(viewport=PHONE, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url + "/")
        page.get_by_role("button", name="Đăng nhập").wait_for()
        context.close()

    with chromium() as browser:
        visit(browser)
        time.sleep(1)
        cpu0, wall0 = process_cpu(pid), time.perf_counter()
        for _ in range(n):
            visit(browser)
        time.sleep(1)  # the closed sessions' trailing work
        return process_cpu(pid) - cpu0, time.perf_counter() - wall0 - 1.0


# -- rows, read after the server has stopped -------------------------------------------------------------


def count_declarations(db: Path, first: int, n: int) -> tuple[int, int]:
    """Declarations of serials ``first`` .. ``first + n - 1`` and their passes (``qr_tokens``
    with prefix HD1:)."""
    rows = count_rows(db, first, n)
    return rows["declarations"], rows["passes"]


def count_rows(db: Path | str, first: int, n: int) -> dict[str, int]:
    """For serials ``first`` .. ``first + n - 1``: declarations, their passes (``qr_tokens``
    with prefix HD1:), the phones that keep them (``hd_holders``), and check-ins by link.
    ``db``: a DuckDB file (read once its server has stopped) or a PostgreSQL URL."""
    if n <= 0:
        return {"declarations": 0, "passes": 0, "holders": 0, "checkins": 0}
    span = [person(first)[0], person(first + n - 1)[0]]
    queries = {
        "declarations": "SELECT count(*) FROM hd_declarations WHERE person_id BETWEEN ? AND ?",
        "passes": "SELECT count(DISTINCT q.token_id) FROM hd_declarations d JOIN qr_tokens q"
        " ON q.token_id = d.token_id WHERE q.prefix = 'HD1:' AND d.person_id BETWEEN ? AND ?",
        "holders": "SELECT count(*) FROM hd_holders h JOIN hd_declarations d"
        " ON d.id = h.declaration_id WHERE d.person_id BETWEEN ? AND ?",
        "checkins": "SELECT count(*) FROM hd_checkins WHERE method = 'link'"
        " AND person_id BETWEEN ? AND ?",
    }
    with _reader(db) as first_value:
        return {k: int(first_value(sql, span)) for k, sql in queries.items()}


def scalar(db: Path | str, sql: str, params: list | None = None) -> object:
    """The first value of one query on a DuckDB file or a PostgreSQL URL (``?`` placeholders)."""
    with _reader(db) as first_value:
        return first_value(sql, params or [])


@contextmanager
def _reader(db: Path | str) -> Iterator[Callable[[str, list], object]]:
    """``first_value(sql, params)`` on ``db``, read-only: a DuckDB file, or a PostgreSQL URL
    through ``core.store.open_store`` (its ``scalar``; DuckDB's SQL and ``?`` placeholders)."""
    from core.store import is_postgres_url, open_store

    if is_postgres_url(db):
        store = open_store(str(db), read_only=True, max_size=1)
        try:
            yield store.scalar
        finally:
            store.close()
        return
    import duckdb

    with duckdb.connect(str(db), read_only=True) as con:
        yield lambda sql, params: con.execute(sql, params).fetchone()[0]


def main(argv: list[str]) -> int:
    if len(argv) == 5 and argv[0] == "streamlit-cpu":
        cpu, wall = streamlit_cpu(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    elif len(argv) == 4 and argv[0] == "streamlit-visit":
        cpu, wall = streamlit_visit_cpu(argv[1], int(argv[2]), int(argv[3]))
    else:
        print(__doc__)
        return 2
    print(f"streamlit_cpu_s {cpu:.4f} wall_s {wall:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
