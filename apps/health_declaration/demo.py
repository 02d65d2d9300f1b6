"""Demo data. ``small``: a few thousand historical rows plus real passes valid today.
``city``: Da Nang 2021 - 6,131,000 declarations (exactly 31,973 fever/cough, 15,396 contacts,
639,975 from epidemic areas), 2,000 venues, 20,000,000 check-ins.

A scale's figures are the totals ``rapid stats`` shows after the seed, whatever the store held
before: the passes valid today (real declarations through the service) are declared first, then
the history (Feb-Oct 2021) makes up the rest. A city demo asked for on an installation that
already holds the small demo (``make run`` seeds it on the first start) or declarations people
made while trying it adds only what is missing, so Da Nang's figures are exact rather than a few
rows over; a scale already seeded (or a bigger one) is not seeded again.

Rows are generated inside the database from ``generate_series`` (no Python loop per row; the
SQL is one text for DuckDB and PostgreSQL). Exact counts come
from bijections ``(a*i + b) mod N`` of the row number: a flag is set where the image is < K.
Declarations are inserted in time order and check-ins in (venue, time) order, so the zone
maps the services rely on prune well.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from math import gcd

from core import clock, geo
from core.auth import Principal
from core.forms.identity import compose_cccd
from core.registry import DemoContext
from core.store import Store

log = logging.getLogger(__name__)

START = datetime(2021, 2, 1)
END = datetime(2021, 11, 1)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Quốc", "Thu", "Đức", "Anh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Lan", "Linh",
         "Long", "Mai", "Nam", "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn",
         "Vy", "Yến"]  # fmt: skip
VENUE_WORDS = ["Chợ", "Siêu thị", "Quán", "Nhà hàng", "Văn phòng", "Cửa hàng", "Tiệm", "Cà phê"]
EPIDEMIC_PROVINCE = 79  # Ho Chi Minh City, an epidemic area in the 2021 wave
WAVE_STARTS, WAVE_ENDS = date(2021, 4, 27), date(2021, 10, 31)
SYSTEM = Principal(username="demo", roles=frozenset({"health_officer"}))


@dataclass(frozen=True)
class Scale:
    declarations: int
    fever_cough: int
    contacts: int
    epidemic: int
    people: int
    venues: int
    checkins_per_venue: int

    @property
    def checkins(self) -> int:
        return self.venues * self.checkins_per_venue


CITY = Scale(6_131_000, 31_973, 15_396, 639_975, 1_500_000, 2_000, 10_000)
SMALL = Scale(6_131, 32, 15, 640, 2_000, 12, 400)
SEEDED_KEY = "health_declaration.demo.seeded"
"""The biggest scale seeded here (declarations), so that the same scale is not added twice."""


@dataclass(frozen=True)
class Plan:
    """What the history adds to reach a scale's totals: row counts and where numbering goes on."""

    declarations: int
    fever_cough: int
    contacts: int
    epidemic: int
    venues: int
    checkins: int
    first_row: int  # declaration ids go on from 'c<first_row>' (no clash with an earlier demo)
    first_venue: int  # venue names go on from this number


def plan(store: Store, scale: Scale) -> Plan:
    """The rows to add so that the store's totals (``service.stats``) become ``scale``'s: each
    figure minus what is already there, never below zero (a flag never on more rows than are
    added)."""
    from apps.health_declaration import service

    have = service.stats(store)
    n = max(0, scale.declarations - have["declarations"])

    def flagged(want: int, got: int) -> int:
        return min(n, max(0, want - got))

    last = store.scalar(
        "SELECT max(CAST(substr(id, 2) AS BIGINT)) FROM hd_declarations"
        " WHERE source = 'demo' AND id SIMILAR TO 'c[0-9]+'"
    )
    venues = max(0, scale.venues - have["venues"])
    return Plan(
        declarations=n,
        fever_cough=flagged(scale.fever_cough, have["fever_or_cough"]),
        contacts=flagged(scale.contacts, have["contacts"]),
        epidemic=flagged(scale.epidemic, have["from_epidemic_areas"]),
        venues=venues,
        checkins=max(0, scale.checkins - have["checkins"]) if venues else 0,
        first_row=0 if last is None else int(last) + 1,
        first_venue=have["venues"],
    )


def _coprime(n: int, start: int) -> int:
    a = start
    while gcd(a, n) != 1:
        a += 1
    return a


def _div(a: str, b: str) -> str:
    """SQL of ``a`` divided by ``b`` rounded down, for non-negative integers (DuckDB's ``/``
    of integers is a DOUBLE, PostgreSQL's truncates; the difference is exact on both)."""
    return f"CAST((({a}) - ({a}) % ({b})) / ({b}) AS BIGINT)"


def _pick(name: str, index: str) -> str:
    """SQL of the element of the list parameter ``$name`` at the 0-based ``index`` modulo its
    length (``$n_name``, given with it by ``_lists``)."""
    kind = "INTEGER[]" if name == "wards" else "VARCHAR[]"
    return f"(CAST(${name} AS {kind}))[1 + ({index}) % $n_{name}]"


def _lists(**lists: list) -> dict[str, object]:
    """Named list parameters for ``_pick``, each with its length."""
    return {**lists, **{f"n_{k}": len(v) for k, v in lists.items()}}


def _person_sql(idx: str) -> str:
    """SQL expressions of a demo person's attributes from its index (same in both tables).

    The CCCD is well formed and agrees with the person's birth year (1940 + idx % 70) and sex
    (idx even: male): province 048, century/sex digit, the year's last two digits, then
    idx // 70 as the serial (unique: idx = 70 * serial + idx % 70)."""
    year = f"(1940 + {idx} % 70)"
    cccd = (
        f"'048' || CAST(CASE WHEN {year} >= 2000 THEN 2 ELSE 0 END + {idx} % 2 AS VARCHAR)"
        f" || lpad(CAST({year} % 100 AS VARCHAR), 2, '0')"
        f" || lpad(CAST({_div(idx, '70')} AS VARCHAR), 6, '0')"
    )
    return (
        f"{cccd} AS person_id,"
        f" CAST({cccd} AS BIGINT) AS person_key,"
        f" {_pick('fam', idx)} || ' ' || {_pick('mid', _div(idx, '12'))} || ' '"
        f" || {_pick('giv', _div(idx, '120'))} AS full_name,"
        f" '09' || lpad(CAST(({idx} * 7919 + 1234567) % 100000000 AS VARCHAR), 8, '0') AS phone,"
        f" {_pick('wards', f'{idx} * 31')} AS ward_code"
    )


def generate(store: Store, scale: Scale, progress=lambda f, s: None, *, seed: int = 2021) -> Plan:
    """Bulk historical declarations, venues and check-ins that bring the store's totals to
    ``scale``'s figures (``plan``). Returns what was added."""
    todo = plan(store, scale)
    wards = [w.code for w in geo.wards(geo.DA_NANG)]
    names = _lists(fam=FAMILY, mid=MIDDLE, giv=GIVEN, wards=wards)
    progress(0.02, "declarations")
    if todo.declarations:
        _declarations(store, todo, scale.people, names, seed)
    progress(0.35, "venues")
    now = clock.utcnow_naive()
    first = 0
    if todo.venues:
        first = store.scalar("SELECT nextval('hd_venue_seq')")
        store.execute(
            "INSERT INTO hd_venues (id, name, kind, province_code, ward_code, street,"  # noqa: S608 - constant SQL fragments only; values bound
            " contact_phone, created_at, created_by) WITH r AS (SELECT $first + i AS id,"
            " $offset + i AS j FROM (SELECT CAST(g AS BIGINT) AS i"
            " FROM generate_series(0, $v - 1) AS s(g)) AS n) SELECT id,"
            f" {_pick('words', 'j')} || ' ' || {_pick('giv', _div('j', '8'))} || ' '"
            f" || CAST(j + 1 AS VARCHAR), {_pick('kinds', 'j')}, 48,"
            f" {_pick('wards', 'j * 17')}, CAST(1 + j % 500 AS VARCHAR)"
            " || ' Nguyễn Văn Linh', '0236' || lpad(CAST(j AS VARCHAR), 7, '0'), $now, 'demo'"
            " FROM r",
            {
                "first": first,
                "offset": todo.first_venue,
                "v": todo.venues,
                "now": now,
                **_lists(
                    words=VENUE_WORDS,
                    giv=GIVEN,
                    kinds=[
                        "market",
                        "shop",
                        "restaurant",
                        "office",
                        "shop",
                        "other",
                        "restaurant",
                        "restaurant",
                    ],
                    wards=wards,
                ),
            },
        )
        store.execute("SELECT setval('hd_venue_seq', ?)", [first + todo.venues])
        _issue_venue_tokens(store, first, todo.venues)
    progress(0.45, "check-ins")
    total = todo.checkins
    per = -(-total // todo.venues) if todo.venues else 0  # ceil: every new venue gets some
    step = 1_000_000
    # Ordered by (venue, time) by construction: venue = i // per; 41 slots of 20 minutes a day
    # from 07:00 local (00:00 UTC), jitter below the slot width.
    for lo in range(0, total, step):
        hi = min(total, lo + step)
        store.execute(
            "INSERT INTO hd_checkins (venue_id, checked_in_at, person_key, person_id, full_name,"  # noqa: S608 - constant SQL fragments only; values bound
            " phone, ward_code, colour, declaration_id, method, recorded_by)"
            " WITH r AS (SELECT i, $first + " + _div("i", "$per") + " AS venue_id,"
            " $start + INTERVAL 1 DAY * "
            + _div("i % $per", "41")
            + " + INTERVAL 1 MINUTE * (((i % $per) % 41) * 20)"
            " + INTERVAL 1 SECOND * ((i * 2654435761) % 1200) AS t,"
            " (i * 48271 + 99991) % $people AS p FROM (SELECT CAST(g AS BIGINT) AS i"
            " FROM generate_series($lo, $hi - 1) AS s(g)) AS n),"
            " q AS (SELECT r.*, " + _person_sql("p") + " FROM r)"
            " SELECT venue_id, t, person_key, person_id, full_name, phone, ward_code,"
            " 'green', NULL, 'demo', 'demo' FROM q ORDER BY i",
            {
                "first": first,
                "per": per,
                "start": START,
                "people": scale.people,
                "lo": lo,
                "hi": hi,
                **names,
            },
        )
        progress(0.45 + 0.5 * hi / total, f"check-ins {hi:,}/{total:,}")
    if not store.scalar(
        "SELECT count(*) FROM hd_epidemic_areas WHERE province_code = ? AND starts_on = ?"
        " AND created_by = 'demo'",
        [EPIDEMIC_PROVINCE, WAVE_STARTS],
    ):
        store.execute(
            "INSERT INTO hd_epidemic_areas (province_code, ward_code, starts_on, ends_on, note,"
            " created_at, created_by) VALUES (?, NULL, ?, ?, 'Làn sóng 2021 (demo)', ?, 'demo')",
            [EPIDEMIC_PROVINCE, WAVE_STARTS, WAVE_ENDS, now],
        )
    return todo


def _declarations(store: Store, todo: Plan, people: int, names: dict[str, list], seed: int) -> None:
    """``todo.declarations`` rows in time order over Feb-Oct 2021, flags set exactly on
    ``todo.fever_cough``, ``todo.contacts`` and ``todo.epidemic`` of them."""
    n = todo.declarations
    a1, a2, a3 = _coprime(n, 1_000_003 + seed), _coprime(n, 2_000_029), _coprime(n, 3_000_017)
    span = int((END - START).total_seconds())
    # Monotone time map with waves: x + 0.12*sin(6*pi*x)/(6*pi), x = i/N (derivative > 0).
    store.execute(
        "INSERT INTO hd_declarations (id, declared_at, person_id, person_key, id_kind, full_name,"  # noqa: S608 - constant SQL fragments only; values bound
        " birth_year, sex, nationality, phone, province_code, ward_code, street,"
        " visited_provinces, fever, cough, exp_case, committed, from_epidemic, colour,"
        " risk_reasons, expires_at, source)"
        " WITH r AS (SELECT i, (i * 104729 + 17) % $people AS p,"
        " ($a1 * i + 11) % $n < $k1 AS fc, ($a2 * i + 7) % $n < $k2 AS ec,"
        " ($a3 * i + 3) % $n < $k3 AS ep,"
        " $start + INTERVAL 1 SECOND * CAST(($span * (CAST(i AS DOUBLE PRECISION) / $n"
        " + 0.12 * sin(6 * pi() * i / $n) / (6 * pi()))) AS BIGINT) AS t"
        " FROM (SELECT CAST(g AS BIGINT) AS i FROM generate_series(0, $n - 1) AS s(g)) AS n),"
        " q AS (SELECT r.*, " + _person_sql("p") + " FROM r)"
        " SELECT 'c' || CAST($id0 + i AS VARCHAR), t, person_id, person_key, 'cccd', full_name,"
        " 1940 + CAST(p % 70 AS SMALLINT), CASE WHEN p % 2 = 0 THEN 'M' ELSE 'F' END, 'VN', phone,"
        " 48, ward_code, CAST(1 + p % 300 AS VARCHAR) || ' Lê Duẩn',"
        " CASE WHEN ep THEN '79' ELSE '' END, fc AND i % 2 = 0, fc AND i % 2 = 1, ec, TRUE, ep,"
        " CASE WHEN ec THEN 'red' WHEN fc OR ep THEN 'yellow' ELSE 'green' END,"
        " concat_ws(',', CASE WHEN ec THEN 'exp_case' END, CASE WHEN fc THEN 'symptom_any' END,"
        " CASE WHEN ep THEN 'epidemic_area' END), t + INTERVAL 24 HOUR, 'demo' FROM q ORDER BY i",
        {
            "n": n,
            "id0": todo.first_row,
            "people": people,
            "a1": a1,
            "a2": a2,
            "a3": a3,
            "k1": todo.fever_cough,
            "k2": todo.contacts,
            "k3": todo.epidemic,
            "start": START,
            "span": span,
            **names,
        },
    )


def _issue_venue_tokens(store: Store, first: int, count: int) -> None:
    from apps.health_declaration.service import VENUE_PREFIX, settings
    from core.qr import service as qr

    rows = store.fetchall(
        "SELECT id, name FROM hd_venues WHERE id >= ? AND id < ? ORDER BY id",
        [first, first + count],
    )
    expires = datetime.now(UTC) + timedelta(days=settings().venue_token_valid_days)
    expires = max(expires, clock.now() + timedelta(days=settings().venue_token_valid_days))
    issued = qr.issue(
        VENUE_PREFIX,
        [
            qr.IssueItem({"v": int(i), "n": str(n)[:60]}, expires, subject=f"venue:{i}")
            for i, n in rows
        ],
        "demo",
        store=store,
    )
    store.execute(
        "UPDATE hd_venues SET token_id = t.token_id FROM (SELECT UNNEST(?::BIGINT[]) AS id,"
        " UNNEST(?::VARCHAR[]) AS token_id) t WHERE hd_venues.id = t.id",
        [[int(r[0]) for r in rows], [x.token_id for x in issued]],
    )


def today_passes(store: Store, count: int = 20) -> list:
    """Real declarations through the service: passes valid today, some of them checked in."""
    from apps.health_declaration import service

    wards = [w.code for w in geo.wards(geo.DA_NANG)]
    out = []
    for i in range(count):
        year, sex = 1950 + i * 2, "MF"[i % 2]
        raw = {
            "full_name": f"{FAMILY[i % len(FAMILY)]} {MIDDLE[i % len(MIDDLE)]} {GIVEN[i % len(GIVEN)]}",
            "birth_year": str(year),
            "sex": sex,
            "nationality": "VN",
            "id_kind": "cccd",
            "person_id": compose_cccd(geo.DA_NANG, year, sex, 200_000 + i),
            "phone": f"0905{i:06d}",
            "province_code": geo.DA_NANG,
            "ward_code": wards[i % len(wards)],
            "street": f"{i + 1} Bạch Đằng",
            "symptoms": ["fever"] if i % 7 == 3 else [],
            "exposures": ["exp_case"] if i % 10 == 9 else [],
            "visited_provinces": [EPIDEMIC_PROVINCE] if i % 6 == 5 else [],
            "committed": True,
        }
        out.append(service.submit_declaration(None, raw, store=store))
    return out


def seed(ctx: DemoContext) -> None:
    """Today's passes, then the history up to the scale's totals. A scale already seeded here
    (or a bigger one) is left as it is."""
    scale = CITY if ctx.scale == "city" else SMALL
    store = ctx.store
    done = int(store.get_state(SEEDED_KEY) or 0)
    if done >= scale.declarations:
        log.info("health declaration demo (%s) already seeded", ctx.scale)
        return
    from apps.health_declaration import service

    ctx.progress(0.01, "passes valid today")
    today = clock.today_local()
    if (EPIDEMIC_PROVINCE, None) not in service.active_areas(store=store):
        service.add_area(
            SYSTEM,
            {
                "province_code": EPIDEMIC_PROVINCE,
                "starts_on": today - timedelta(days=7),
                "note": "demo",
            },
            store=store,
        )
    today_passes(store)
    added = generate(store, scale, ctx.progress, seed=ctx.seed)
    log.info("health declaration demo (%s): added %s", ctx.scale, added)
    from apps.health_declaration import analytics

    # the history lies before any watermark a smaller demo left: count it again from its start
    analytics.rewind_rollups(START, store=store)
    for rollup in (analytics.CHECKIN_ROLLUP, analytics.DECLARATION_ROLLUP):
        analytics.refresh_rollup(rollup, store=store)
    store.set_state(SEEDED_KEY, str(scale.declarations))
