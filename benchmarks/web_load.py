"""A load test through real HTTP: locust (used as a library, headless, ``FastHttpUser``) against
one ``rapid serve`` process on 127.0.0.1.

(a) Declarations: each task is one person (no cookies): GET ``/khai-bao``, POST the answers with
that page's form token (distinct CCCD and phone), expect the pass page (200 and its heading);
offered at a steady 55 a second, measured over 60 s after a short warm-up.
Target: >= 50 declarations/s, p95 <= 300 ms per request, 0 errors.
(b) Venue check-ins by link: people who declared in (a) open a demo venue's poster link (GET
``/check-in?v=``) and send phone + CCCD (POST); offered at 110 a second, measured over 60 s.
Where the server's check-in form only asks for a code by SMS for phone + CCCD, each person
checks in from the phone that declared instead: its cookies kept, one tap (POST).
Target: >= 100 check-ins/s, p95 <= 300 ms, 0 errors.
After the server stops: rows in ``hd_declarations`` and passes (HD1:), and rows in
``hd_checkins``, must equal the successful requests exactly.

Baseline (same server, same run): the Streamlit staff page's most declarations a second for one
process, 1 / (server CPU per declaration through it, measured with a few declarations in
Chromium as in ``web_declare_cpu``; in a child process, as Playwright and gevent do not mix).

The per-client rate limits are raised for the run (``RAPID_WEB_*_PER_MINUTE``): every request
comes from one address here, which is what those limits exist to stop. Exits 1 if a target is
missed. Takes about 4 minutes; ``web_load.py 10`` measures 10 s per phase instead of 60.
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import gevent
import locust
from locust import FastHttpUser, constant_throughput, task
from locust.env import Environment
from locust.log import setup_logging
from web_common import (
    CHECKIN_PATH,
    DECLARE_PATH,
    UNLIMITED,
    checkin_body,
    checkin_flow,
    count_declarations,
    declaration_body,
    declare_http,
    form_fields,
    load,
    one_tap_body,
    person,
    rapid_server,
    scalar,
    texts,
    ward_code,
    workdir,
)

HERE = Path(__file__).resolve().parent
SECONDS = 60
WARM_S = 5
DECLARE_RATE, CHECKIN_RATE = 55, 110  # offered a second: a little above the targets
DECLARE_TARGET, CHECKIN_TARGET, P95_MS = 50.0, 100.0, 300.0
STREAMLIT_N = 5
WARM, THEIRS, FIRST = 400_000, 300_000, 500_000  # serials of the warm-up, Streamlit, phase (a)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Phase:
    """The state of one phase shared by its users (one process, greenlets)."""

    people: list[int] = field(default_factory=list)  # serials who may check in
    venue: str = ""
    done_text: str = ""
    ward: int = 0
    one_tap: bool = False  # check in with the cookies the phone kept when it declared
    serials: itertools.count = field(default_factory=lambda: itertools.count(FIRST))
    stopping: bool = False
    in_flight: int = 0
    ok: list[int] = field(default_factory=list)  # serials, in order of completion
    ok_at: list[float] = field(default_factory=list)
    flow_ms: list[float] = field(default_factory=list)
    failed: Counter = field(default_factory=Counter)
    jars: dict[int, list] = field(default_factory=dict)  # serial -> cookies after declaring


PHASE = Phase()


class Citizen(FastHttpUser):
    """One phone at a time: each task is a person, with no cookies or with that person's."""

    abstract = True
    wait_time = constant_throughput(1.0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def _one(self, serial: int, path: str, query: str, body, cookies=()) -> None:
        """GET the form, POST ``body(serial, page)``, expect ``done_text`` in the answer."""
        phase = PHASE
        if phase.stopping:
            gevent.sleep(0.5)
            return
        phase.in_flight += 1
        start = time.perf_counter()
        try:
            jar = self.client.cookiejar
            jar.clear()
            for cookie in cookies:
                jar.set_cookie(cookie)
            with self.client.get(
                f"{path}?{query}" if query else path, name=f"GET {path}", catch_response=True
            ) as resp:
                try:
                    if resp.status_code != 200:
                        raise ValueError(f"GET {resp.status_code}")
                    data = body(serial, resp.text or "")
                except ValueError as exc:
                    resp.failure(str(exc))
                    phase.failed[str(exc)] += 1
                    return
            with self.client.post(
                path, data=data, headers=FORM, name=f"POST {path}", catch_response=True
            ) as resp:
                if resp.status_code != 200 or phase.done_text not in (resp.text or ""):
                    reason = f"POST {resp.status_code}" + (
                        "" if resp.status_code != 200 else " without the expected page"
                    )
                    resp.failure(reason)
                    phase.failed[reason] += 1
                    return
            now = time.perf_counter()
            phase.ok.append(serial)
            phase.ok_at.append(now)
            phase.flow_ms.append(1000 * (now - start))
            phase.jars[serial] = list(jar)
        except Exception as exc:  # noqa: BLE001 - counted as an error, the run goes on
            phase.failed[type(exc).__name__] += 1
        finally:
            phase.in_flight -= 1


class Declarer(Citizen):
    @task
    def declare(self) -> None:
        phase = PHASE

        def body(serial: int, page: str) -> str:
            return declaration_body(serial, *form_fields(page), phase.ward)

        self._one(next(phase.serials), DECLARE_PATH, "", body)


class CheckerIn(Citizen):
    @task
    def check_in(self) -> None:
        phase = PHASE
        serial = phase.people[next(phase.serials) % len(phase.people)]

        def body(serial: int, page: str) -> str:
            if phase.one_tap:
                return one_tap_body(page, phase.venue)
            return checkin_body(serial, *form_fields(page), phase.venue)

        cookies = DECLARED.jars.get(serial, ()) if phase.one_tap else ()
        self._one(serial, CHECKIN_PATH, urlencode({"v": phase.venue}), body, cookies)


DECLARED = Phase()  # phase (a), kept for (b): who declared, and the cookies their phones kept


@dataclass
class Result:
    offered: int
    window_ok: int
    rate: float
    slowest_5s: float
    requests: int
    failures: int
    errors: Counter
    p50: dict[str, float]
    p95: dict[str, float]
    p95_all: float
    flow_p50: float
    flow_p95: float
    server_cpu: float  # seconds in the window
    client_cpu: float
    ok: list[int]
    started: int  # tasks that took a serial


def run(url: str, user: type[Citizen], rate: int, server_cpu) -> Result:
    """``rate`` users, one task a second each, for WARM_S + SECONDS; measured over the last
    SECONDS; then no new task starts and the ones under way finish."""
    env = Environment(user_classes=[user], host=url, events=locust.events)
    runner = env.create_local_runner()
    runner.start(rate, spawn_rate=rate / 2)  # all users within 2 s
    gevent.sleep(WARM_S)
    env.stats.reset_all()
    n0, cpu0, me0, t0 = len(PHASE.ok), server_cpu(), time.process_time(), time.perf_counter()
    gevent.sleep(SECONDS)
    t1, cpu1, me1 = time.perf_counter(), server_cpu(), time.process_time()
    window = [(s, at) for s, at in zip(PHASE.ok[n0:], PHASE.ok_at[n0:], strict=True) if at <= t1]
    flows = PHASE.flow_ms[n0 : n0 + len(window)]
    stats = {
        name: (e.median_response_time, e.get_response_time_percentile(0.95))
        for (name, _method), e in env.stats.entries.items()
    }
    requests, failures = env.stats.total.num_requests, env.stats.total.num_failures
    p95_all = env.stats.total.get_response_time_percentile(0.95)
    PHASE.stopping = True
    deadline = time.monotonic() + 30
    while PHASE.in_flight and time.monotonic() < deadline:
        gevent.sleep(0.1)
    runner.quit()
    buckets = Counter(int((at - t0) // 5) for _, at in window)
    slowest = min(buckets.get(b, 0) for b in range(SECONDS // 5)) / 5
    return Result(
        offered=rate,
        window_ok=len(window),
        rate=len(window) / (t1 - t0),
        slowest_5s=slowest,
        requests=requests,
        failures=failures,
        errors=Counter(PHASE.failed),
        p50={k: v[0] for k, v in stats.items()},
        p95={k: v[1] for k, v in stats.items()},
        p95_all=p95_all,
        flow_p50=statistics.median(flows) if flows else float("nan"),
        flow_p95=sorted(flows)[int(0.95 * len(flows))] if flows else float("nan"),
        server_cpu=cpu1 - cpu0,
        client_cpu=me1 - me0,
        ok=list(PHASE.ok),
        started=next(PHASE.serials) - FIRST,
    )


def streamlit_cpu(url: str, pid: int) -> float:
    """Server CPU seconds per declaration through the Streamlit page (a child process)."""
    out = subprocess.run(
        [sys.executable, str(HERE / "web_common.py"), "streamlit-cpu", url, str(pid)]
        + [str(STREAMLIT_N), str(THEIRS)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("streamlit_cpu_s ")), "")
    if not line:
        print(out.stdout[-2000:], out.stderr[-3000:])
        raise RuntimeError("the Streamlit measurement failed")
    return float(line.split()[1]) / STREAMLIT_N


def report(label: str, what: str, r: Result, target: float) -> bool:
    ok = r.rate >= target and r.failures == 0 and not r.errors and r.p95_all <= P95_MS
    print(
        f"{label}: offered {r.offered}/s; {r.requests:,} requests in {SECONDS} s;"
        f" {r.rate:.1f} {what}/s sustained (slowest 5 s: {r.slowest_5s:.1f}/s;"
        f" target >= {target:.0f})"
    )
    for name in sorted(r.p50):
        print(f"    {name:<18} p50 {r.p50[name]:6.0f} ms   p95 {r.p95[name]:6.0f} ms")
    print(
        f"    all requests       p95 {r.p95_all:6.0f} ms (limit {P95_MS:.0f});"
        f" one {what[:-1]} (GET+POST) p50 {r.flow_p50:.0f} ms, p95 {r.flow_p95:.0f} ms"
    )
    errors = ", ".join(f"{k} x{v}" for k, v in r.errors.items()) or "none"
    print(f"    errors: {r.failures} in the window; whole phase: {errors}")
    per = 1000 * r.server_cpu / max(1, r.window_ok)
    print(
        f"    server CPU {100 * r.server_cpu / SECONDS:.0f}% of one core"
        f" ({per:.1f} ms per {what[:-1]}: 1 / that = {1000 / per:.0f}/s at one core's worth);"
        f" locust's own CPU {100 * r.client_cpu / SECONDS:.0f}%"
    )
    return ok


def main(argv: list[str]) -> int:
    global PHASE, DECLARED, SECONDS
    if argv:  # a shorter run to try the script: web_load.py 10 (the targets stay at 60 s)
        SECONDS = max(5, int(argv[0]))
    setup_logging("WARNING")
    words, ward = texts(), ward_code()
    print(f"locust {locust.__version__}, one `rapid serve` on 127.0.0.1; {load()}")
    print("per-client rate limits raised (RAPID_WEB_*_PER_MINUTE=1000000): all requests come")
    print("from one address here, which is what those limits are for")
    with workdir() as tmp:
        data = tmp / "data"
        with rapid_server(data):  # the first start seeds the small demo (its venues)
            pass
        venue = str(
            scalar(
                data / "rapid.duckdb",
                "SELECT t.token_text FROM hd_venues v JOIN qr_tokens t USING (token_id)"
                " WHERE v.status = 'open' ORDER BY v.id LIMIT 1",
            )
        )
        with rapid_server(data, UNLIMITED) as server:
            for i in range(5):  # warm-up: the first pages load the server's modules
                declare_http(server.url, WARM + i, ward, words["done"])
            per_streamlit = streamlit_cpu(server.url, server.pid)
            DECLARED = PHASE = Phase(done_text=words["done"], ward=ward)
            declared = run(server.url, Declarer, DECLARE_RATE, server.cpu)
            one_tap = checkin_flow(server.url, venue) == "one tap"
            PHASE = Phase(
                done_text=words["checked_in"], venue=venue, people=declared.ok, one_tap=one_tap
            )
            if declared.ok:
                checked = run(server.url, CheckerIn, CHECKIN_RATE, server.cpu)
            print(load())
        rows, passes = count_declarations(server.db, FIRST, declared.started)
        lo, hi = person(FIRST)[0], person(FIRST + declared.started - 1)[0]
        checkins = scalar(
            server.db,
            "SELECT count(*) FROM hd_checkins WHERE method = 'link' AND person_id BETWEEN ? AND ?",
            [lo, hi],
        )
    print(
        f"baseline: the Streamlit staff page, {1000 * per_streamlit:.0f} ms of server CPU per"
        f" declaration ({STREAMLIT_N} in Chromium) -> at most {1 / per_streamlit:.1f}"
        " declarations/s for one process"
    )
    ok_a = report("(a) declarations", "declarations", declared, DECLARE_TARGET)
    n_ok = len(declared.ok)
    rows_a = rows == passes == n_ok
    print(
        f"    rows: {rows:,} declarations and {passes:,} passes for {n_ok:,} pass pages"
        f"  {'exact' if rows_a else 'WRONG'}"
    )
    print(
        f"    ratio ours/baseline {declared.rate * per_streamlit:.0f}x"
        f"  {'PASS' if ok_a and rows_a else 'FAIL'}"
    )
    ok_b = rows_b = False
    if declared.ok:
        how = "one tap from the phone that declared" if one_tap else "phone + CCCD"
        if one_tap:
            print("(this server's check-in form sends a code by SMS for phone + CCCD; people")
            print(" check in with one tap from the phone that declared, the cookies it kept)")
        ok_b = report(f"(b) check-ins by link ({how})", "check-ins", checked, CHECKIN_TARGET)
        rows_b = checkins == len(checked.ok)
        print(
            f"    rows: {checkins:,} check-ins for {len(checked.ok):,} confirmations"
            f"  {'exact' if rows_b else 'WRONG'}  {'PASS' if ok_b and rows_b else 'FAIL'}"
        )
    return 0 if ok_a and rows_a and ok_b and rows_b else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
