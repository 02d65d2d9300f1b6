"""A load test through real HTTP: locust (used as a library, headless, ``FastHttpUser``) against
one ``rapid serve`` process on 127.0.0.1.

(a) Declarations: each task is one person on a phone with no cookies: GET ``/khai-bao``, POST
the answers with that page's form token (distinct CCCD and phone), expect the pass page (200 and
its heading); offered at 55 a second, measured over 60 s after a short warm-up.
Target: >= 50 declarations/s, p95 <= 300 ms per request, 0 errors.
(b) Venue check-ins by link, one tap with a held pass: people who declared in (a) open a demo
venue's poster link (GET ``/check-in?v=``) on the phone that declared (the cookies it kept: the
holder secret) and tap "check in" (POST); offered at 110 a second, measured over 60 s. (Phone +
CCCD from another phone only ask for a one-time code by SMS since 2086cab: not a check-in.)
Target: >= 100 check-ins/s, p95 <= 300 ms, 0 errors.
Arrivals: a Poisson stream at the offered rate (``poisson_arrivals``: 3 users per task a second,
each starting its tasks at exponential gaps), what many citizens acting independently send; a
busier second or a lull happen as they would. Before, each user started one task a second
in step with the others: locust spawns users in chunks (as many as the spawn rate, every second),
so each second's 55 declarations arrived within the same few ms, and the p95 measured the time
to drain that burst (640 ms), not a citizen's wait. ``pg_processes`` still uses that paced,
closed loop on purpose: it measures the most a server can do, not latency.
After the server stops: rows in ``hd_declarations``, passes (HD1:) and holders (``hd_holders``)
must equal the pass pages received exactly, and rows in ``hd_checkins`` the confirmations.

Baselines (same server, same run, in a child process: Playwright and gevent do not mix):
(a) the Streamlit staff page's most declarations a second for one process, 1 / (server CPU per
declaration through it, a few declarations in Chromium as in ``web_declare_cpu``); (b) the most
a Streamlit check-in page could do, 1 / (server CPU of one anonymous first visit of a Streamlit
page, the login page) -- a bound in Streamlit's favour: the check-in's own submit is not counted.

The load generator does not starve the server on 2 cores: the server is its own process (one
``rapid serve``), locust runs in this process as gevent greenlets with ``FastHttpUser``
(geventhttpclient, a few % of a core at these rates), and the server's CPU is read from its own
``/proc/<pid>/stat``, apart from locust's, which is printed too.

The per-client rate limits are raised in the server's environment (see ``web_common.UNLIMITED``):
every request comes from one address here, which is what those limits exist to stop.

Usage: ``web_load.py`` (about 4 minutes; exits 1 if a target is missed);
``web_load.py --seconds 10`` (10 s per phase, same targets over the shorter window);
``web_load.py --smoke`` (3 s per phase, 4 tasks a second, no baseline: checks only errors and the
row/pass accounting; what ``tests/benchmarks`` runs); ``--json PATH`` writes the results.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import random
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
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
    count_rows,
    declaration_body,
    declare_http,
    form_fields,
    limits_note,
    load,
    one_tap_body,
    prepare_data,
    rapid_server,
    texts,
    venue_token,
    ward_code,
    workdir,
)

HERE = Path(__file__).resolve().parent
DECLARE_TARGET, CHECKIN_TARGET, P95_MS, CLAIM_S = 50.0, 100.0, 300.0, 60
MEAN_GAP_S = 3.0  # each simulated phone of an open-loop phase starts a task every 3 s on average
STREAMLIT_N, STREAMLIT_VISITS = 5, 3
WARM, THEIRS, FIRST = 400_000, 300_000, 500_000  # serials of the warm-up, Streamlit, phase (a)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@dataclass
class Phase:
    """The state of one phase shared by its users (one process, greenlets)."""

    people: list[int] = field(default_factory=list)  # serials who may check in
    venue: str = ""
    done_text: str = ""
    ward: int = 0
    serials: itertools.count = field(default_factory=lambda: itertools.count(FIRST))
    taken: int = 0  # tasks that took a serial
    stopping: bool = False
    in_flight: int = 0
    ok: list[int] = field(default_factory=list)  # serials, in order of completion
    ok_at: list[float] = field(default_factory=list)
    flow_ms: list[float] = field(default_factory=list)
    failed: Counter = field(default_factory=Counter)
    jars: dict[int, list] = field(default_factory=dict)  # serial -> cookies after declaring

    def next_serial(self) -> int:
        self.taken += 1
        return next(self.serials)


PHASE = Phase()
DECLARED = Phase()  # phase (a), kept for (b): who declared, and the cookies their phones kept


class Citizen(FastHttpUser):
    """One phone at a time: each task is a person, with no cookies or with that person's."""

    abstract = True
    wait_time = constant_throughput(1.0)
    network_timeout = 30.0
    connection_timeout = 10.0

    def _one(self, serial: int, path: str, query: str, body, cookies=()) -> None:
        """GET the form, POST ``body(serial, page)``, expect ``done_text`` in the answer."""
        phase = PHASE
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
        if phase.stopping:
            gevent.sleep(0.5)
            return

        def body(serial: int, page: str) -> str:
            return declaration_body(serial, *form_fields(page), phase.ward)

        self._one(phase.next_serial(), DECLARE_PATH, "", body)


class CheckerIn(Citizen):
    @task
    def check_in(self) -> None:
        phase = PHASE
        if phase.stopping:
            gevent.sleep(0.5)
            return
        serial = phase.people[phase.next_serial() % len(phase.people)]

        def body(serial: int, page: str) -> str:
            return one_tap_body(page, phase.venue)

        query = urlencode({"v": phase.venue})
        self._one(serial, CHECKIN_PATH, query, body, DECLARED.jars.get(serial, ()))


@dataclass
class Result:
    offered: int
    seconds: int
    window_ok: int
    rate: float
    slowest_5s: float
    requests: int
    failures: int
    errors: dict[str, int]
    p50: dict[str, float]
    p95: dict[str, float]
    p95_all: float
    flow_p50: float
    flow_p95: float
    server_cpu: float  # seconds in the window
    client_cpu: float
    ok: int  # successes over the whole phase (warm-up and draining included)
    started: int  # tasks that took a serial


def poisson_arrivals(user: type[Citizen], mean_gap: float = MEAN_GAP_S) -> type[Citizen]:
    """``user`` whose tasks start as a Poisson process: exponential gaps of ``mean_gap`` s on
    average, from a random moment after it is spawned. Many such users together are a Poisson
    stream, what independent citizens sending the form produce. A user still busy when its next
    start comes starts at once after (the schedule is kept, never skipped)."""

    def on_start(self: Citizen) -> None:
        self.next_at = time.monotonic() + random.expovariate(1 / mean_gap)
        gevent.sleep(max(0.0, self.next_at - time.monotonic()))

    def wait_time(self: Citizen) -> float:
        self.next_at += random.expovariate(1 / mean_gap)
        return max(0.0, self.next_at - time.monotonic())

    return type(user.__name__, (user,), {"on_start": on_start, "wait_time": wait_time})


def run(
    url: str,
    user: type[Citizen],
    rate: int,
    seconds: int,
    warm: float,
    server_cpu,
    *,
    open_loop: bool = False,
) -> Result:
    """``rate`` tasks a second for ``warm`` + ``seconds``; measured over the last ``seconds``;
    then no new task starts and the ones under way finish. Paced (closed loop, the default):
    ``rate`` users, each starting a task once a second and waiting for it, so an overloaded
    server shows as latency. ``open_loop``: ``rate`` x ``MEAN_GAP_S`` users whose starts are a
    Poisson stream of ``rate`` a second (``poisson_arrivals``). Paced users are spawned by
    locust in chunks and stay in step: each second's tasks would all start within a few ms."""
    users = math.ceil(rate * MEAN_GAP_S) if open_loop else rate
    kind = poisson_arrivals(user) if open_loop else user
    env = Environment(user_classes=[kind], host=url, events=locust.events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users / max(0.5, min(2.0, warm)))  # all within the warm-up
    gevent.sleep(warm)
    env.stats.reset_all()
    n0, cpu0, me0, t0 = len(PHASE.ok), server_cpu(), time.process_time(), time.perf_counter()
    gevent.sleep(seconds)
    t1, cpu1, me1 = time.perf_counter(), server_cpu(), time.process_time()
    window = [at for at in PHASE.ok_at[n0:] if at <= t1]
    flows = PHASE.flow_ms[n0 : n0 + len(window)]
    stats = {
        name: (e.median_response_time, e.get_response_time_percentile(0.95))
        for (name, _method), e in env.stats.entries.items()
    }
    requests, failures = env.stats.total.num_requests, env.stats.total.num_failures
    p95_all = env.stats.total.get_response_time_percentile(0.95) or 0.0
    PHASE.stopping = True
    deadline = time.monotonic() + 30
    while PHASE.in_flight and time.monotonic() < deadline:
        gevent.sleep(0.1)
    runner.quit()
    buckets = Counter(int((at - t0) // 5) for at in window)
    slowest = min(buckets.get(b, 0) for b in range(max(1, seconds // 5))) / 5
    return Result(
        offered=rate,
        seconds=seconds,
        window_ok=len(window),
        rate=len(window) / (t1 - t0),
        slowest_5s=slowest if seconds >= 5 else len(window) / (t1 - t0),
        requests=requests,
        failures=failures,
        errors=dict(PHASE.failed),
        p50={k: v[0] for k, v in stats.items()},
        p95={k: v[1] for k, v in stats.items()},
        p95_all=p95_all,
        flow_p50=statistics.median(flows) if flows else float("nan"),
        flow_p95=sorted(flows)[int(0.95 * len(flows))] if flows else float("nan"),
        server_cpu=cpu1 - cpu0,
        client_cpu=me1 - me0,
        ok=len(PHASE.ok),
        started=PHASE.taken,
    )


def streamlit_cpu(mode: str, url: str, pid: int, n: int) -> float:
    """Server CPU seconds per Streamlit declaration (``streamlit-cpu``) or per first visit of a
    Streamlit page (``streamlit-visit``), measured in a child process."""
    extra = [str(THEIRS)] if mode == "streamlit-cpu" else []
    out = subprocess.run(
        [sys.executable, str(HERE / "web_common.py"), mode, url, str(pid), str(n), *extra],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("streamlit_cpu_s ")), "")
    if not line:
        print(out.stdout[-2000:], out.stderr[-4000:])
        raise RuntimeError(f"the Streamlit measurement ({mode}) failed")
    return float(line.split()[1]) / n


def report(label: str, what: str, r: Result, target: float | None) -> bool:
    """Print one phase; True when its speed targets are met (always, without a target)."""
    clean = r.failures == 0 and not r.errors
    ok = clean and (target is None or (r.rate >= target and r.p95_all <= P95_MS))
    aim = f"; target >= {target:.0f}" if target is not None else ""
    print(
        f"{label}: offered {r.offered}/s; {r.requests:,} requests in {r.seconds} s;"
        f" {r.rate:.1f} {what}/s sustained (slowest 5 s: {r.slowest_5s:.1f}/s{aim})"
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
        f"    server process CPU {100 * r.server_cpu / r.seconds:.0f}% of one core"
        f" ({per:.1f} ms per {what[:-1]}: 1 / that = {1000 / per:.0f}/s at one core's worth);"
        f" load generator (locust, this process) {100 * r.client_cpu / r.seconds:.0f}%"
    )
    return ok


def phase_options(warm: float, smoke_help: str) -> argparse.ArgumentParser:
    """The options every phase-based load test has: --seconds, --warm, --smoke, --json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, help=f"measured seconds per phase ({CLAIM_S})")
    parser.add_argument("--warm", type=float, help=f"warm-up seconds per phase ({warm:g})")
    parser.add_argument("--smoke", action="store_true", help=smoke_help)
    parser.add_argument("--json", type=Path, help="write the results here")
    return parser


def parse_phases(
    parser: argparse.ArgumentParser, argv: list[str], smoke: dict, full: dict
) -> argparse.Namespace:
    """Parse ``argv``; options left out take ``smoke``'s or ``full``'s value."""
    args = parser.parse_args(argv)
    for key, value in (smoke if args.smoke else full).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.seconds = max(1, args.seconds)
    return args


def options(argv: list[str]) -> argparse.Namespace:
    parser = phase_options(
        5.0, "3 s per phase, 4 users, no baseline: only errors and the row accounting count"
    )
    parser.add_argument("--declare-rate", type=int, help="declarations offered a second (55)")
    parser.add_argument("--checkin-rate", type=int, help="check-ins offered a second (110)")
    smoke = {"seconds": 3, "warm": 1.0, "declare_rate": 4, "checkin_rate": 4}
    full = {"seconds": CLAIM_S, "warm": 5.0, "declare_rate": 55, "checkin_rate": 110}
    return parse_phases(parser, argv, smoke, full)


def main(argv: list[str]) -> int:
    global PHASE, DECLARED
    args = options(argv)
    setup_logging("WARNING")
    words, ward = texts(), ward_code()
    print(f"locust {locust.__version__}, one `rapid serve` on 127.0.0.1; {load()}")
    print(limits_note())
    print(
        "load generator: locust FastHttpUser (gevent) in this process; the server in its own"
        " process, its CPU read from /proc/<pid>/stat; arrivals a Poisson stream at the offered"
        f" rate (independent citizens, mean {MEAN_GAP_S:g} s between one user's tasks)"
    )
    if args.smoke:
        print(f"smoke run: {args.seconds} s per phase, a few users, no baseline, no speed target")
    elif args.seconds < CLAIM_S:
        print(f"short run: {args.seconds} s per phase (the claim is {CLAIM_S} s), same targets")
    per_theirs = per_visit = 0.0
    with workdir() as tmp:
        data = tmp / "data"
        prepare_data(data)  # what `rapid serve` does first: keys, database, the small demo
        venue = venue_token(data)
        with rapid_server(data, UNLIMITED) as server:
            for i in range(3):  # warm-up: the first pages load the server's modules
                declare_http(server.url, WARM + i, ward, words["done"])
            if not args.smoke:
                per_theirs = streamlit_cpu("streamlit-cpu", server.url, server.pid, STREAMLIT_N)
                per_visit = streamlit_cpu(
                    "streamlit-visit", server.url, server.pid, STREAMLIT_VISITS
                )
            DECLARED = PHASE = Phase(done_text=words["done"], ward=ward)
            declared = run(
                server.url,
                Declarer,
                args.declare_rate,
                args.seconds,
                args.warm,
                server.cpu,
                open_loop=True,
            )
            checked = None
            if DECLARED.ok:
                PHASE = Phase(done_text=words["checked_in"], venue=venue, people=DECLARED.ok)
                checked = run(
                    server.url,
                    CheckerIn,
                    args.checkin_rate,
                    args.seconds,
                    args.warm,
                    server.cpu,
                    open_loop=True,
                )
            print(load())
        rows = count_rows(server.db, FIRST, declared.started)
    if not args.smoke:
        print(
            f"baseline (a): the Streamlit staff page, {1000 * per_theirs:.0f} ms of server CPU"
            f" per declaration ({STREAMLIT_N} in Chromium) -> at most {1 / per_theirs:.1f}"
            " declarations/s for one process"
        )
        print(
            f"baseline (b): a Streamlit page's first visit (login page, {STREAMLIT_VISITS}"
            f" phones), {1000 * per_visit:.0f} ms of server CPU -> at most {1 / per_visit:.1f}"
            " check-ins/s for one process (the check-in's submit not even counted)"
        )
    ok_a = report(
        "(a) declarations", "declarations", declared, None if args.smoke else DECLARE_TARGET
    )
    rows_a = rows["declarations"] == rows["passes"] == rows["holders"] == declared.ok
    print(
        f"    rows: {rows['declarations']:,} declarations, {rows['passes']:,} passes,"
        f" {rows['holders']:,} holders for {declared.ok:,} pass pages"
        f" ({declared.started:,} started)  {'exact' if rows_a else 'WRONG'}"
    )
    if not args.smoke:
        print(f"    ratio ours/baseline {declared.rate * per_theirs:.0f}x")
    print(f"    {'PASS' if ok_a and rows_a else 'FAIL'}")
    ok_b = rows_b = False
    if checked is not None:
        ok_b = report(
            "(b) check-ins by link (one tap with a held pass)",
            "check-ins",
            checked,
            None if args.smoke else CHECKIN_TARGET,
        )
        rows_b = rows["checkins"] == checked.ok
        print(
            f"    rows: {rows['checkins']:,} check-ins for {checked.ok:,} confirmations"
            f" ({checked.started:,} started)  {'exact' if rows_b else 'WRONG'}"
        )
        if not args.smoke:
            print(f"    ratio ours/baseline {checked.rate * per_visit:.0f}x")
        print(f"    {'PASS' if ok_b and rows_b else 'FAIL'}")
    else:
        print("(b) check-ins by link: not run, nobody declared in (a)  FAIL")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "declarations": asdict(declared),
                    "checkins": asdict(checked) if checked else None,
                    "rows": rows,
                    "baseline_s": {"declaration": per_theirs, "visit": per_visit},
                },
                indent=1,
            )
        )
    return 0 if ok_a and rows_a and ok_b and rows_b else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
