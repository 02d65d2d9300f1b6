"""The core test kit (``core.testkit``) itself: installed as a pytest plugin, its fixtures work
for an app developer's tests outside this project, and its authorization matrix fails for
each kind of hole it is there to find."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import types
from importlib.metadata import entry_points

import pytest

from core import clock
from core.auth import Grant
from core.testkit import FROZEN_AT, authorization_matrix, make_principal, page_app, run_page

FAKE_SERVICE = """
from core import audit
from core.auth import require


def ok(principal):
    require(principal, "approver")
    return "ok"


def leaky(principal):
    return "no check at all"


def noisy(principal):
    audit.record(principal.actor, "fake.try", "thing", "1")
    require(principal, "approver")


def citizens(principal):
    return "public"


def _private(principal):
    require(principal, "admin")


def helper(value):
    return value
"""


@pytest.fixture()
def fake():
    mod = types.ModuleType("fake_service")
    exec(compile(FAKE_SERVICE, "fake_service.py", "exec"), mod.__dict__)
    return mod


def _fails(modules, cases, **kw) -> str:
    with pytest.raises(pytest.fail.Exception) as err:
        authorization_matrix(modules, cases, **kw)
    return str(err.value)


def test_the_kit_is_a_registered_pytest_plugin():
    (ep,) = [e for e in entry_points(group="pytest11") if e.name == "rapid"]
    assert ep.value == "core.testkit"


def test_a_correct_matrix_passes(store, fake):
    del fake.noisy  # the one hole a matrix cannot declare away (tested below)
    authorization_matrix(
        [fake],
        {
            "ok": (fake.ok, {"approver"}),
            "leaky": (fake.leaky, {"public"}),  # declared public: fine
            "citizens": (fake.citizens, {"public"}),
        },
    )


def test_a_missing_or_stale_entry_point_fails(store, fake):
    message = _fails([fake], {"ok": (fake.ok, {"approver"}), "ghost": (fake.ok, {"admin"})})
    assert "entry point missing from the matrix: citizens" in message
    assert "missing from the matrix: leaky" in message and "noisy" in message
    assert "not an entry point (stale case?): ghost" in message
    assert "_private" not in message and "helper" not in message


def test_each_kind_of_hole_fails(store, fake):
    message = _fails(
        [fake],
        {
            "ok": (fake.ok, {"business"}),  # wrong role: both directions
            "leaky": (fake.leaky, {"approver"}),  # everyone gets through
            "noisy": (fake.noisy, {"approver"}),  # refuses, but wrote an audit row first
            "citizens": (lambda p: fake.citizens(p, "extra"), {"public"}),  # broken case
        },
    )
    assert "ok: business is allowed but was refused" in message
    assert "ok: approver was let through" in message
    assert "leaky: admin was let through" in message and "leaky: anonymous" in message
    assert "noisy: refusing admin wrote 1 audit row(s)" in message
    assert "citizens as admin: broken case, TypeError" in message


def test_unknown_roles_in_a_case_are_an_error(store, fake):
    with pytest.raises(ValueError, match="wizard"):
        authorization_matrix(
            [fake],
            {n: (getattr(fake, n), {"wizard"}) for n in ("ok", "leaky", "noisy", "citizens")},
        )


def test_make_principal_and_scopes():
    p = make_principal("lan", "approver", "health_officer")
    assert p.roles == {"approver", "health_officer"} and p.user_id == "lan"
    scoped = make_principal("w", "ward_worker", scopes={"ward_worker": "ward:20275"})
    assert scoped.grants == (Grant("ward_worker", "ward:20275"),)
    assert make_principal("w", "ward_worker@province:48").grants[0].scope == "province:48"
    with pytest.raises(ValueError):
        make_principal("x", "approver", scopes={"admin": "ward:20275"})


def test_frozen_clock_has_microseconds(frozen_clock):
    assert FROZEN_AT.microsecond != 0 and clock.now() == FROZEN_AT
    frozen_clock[0] = FROZEN_AT.replace(hour=9)
    assert clock.now().hour == 9


def test_run_page_and_page_app(store):
    at = run_page("health_declaration.areas", make_principal("o", "health_officer"), locale="en")
    assert not at.exception and at.title[0].value == "Epidemic areas"
    later = page_app("core.accounts", make_principal("a", "approver"))
    assert not later.error  # not run yet
    assert later.run().error


def test_an_app_developers_own_tests_get_the_kit(tmp_path):
    """A test file outside this project, no conftest: the fixtures come from the plugin."""
    (tmp_path / "test_my_app.py").write_text(
        textwrap.dedent(
            """
            from core import accounts, clock
            from core.testkit import FROZEN_AT, make_principal

            def test_fixtures(store, frozen_clock, admin):
                assert clock.now() == FROZEN_AT
                accounts.create_user(admin, "moi", "Người Mới", "approver", "Mat-khau-2021")
                assert accounts.count_users() == 1
                assert make_principal("x", "approver").has("approver")
            """
        )
    )
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_my_app.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout
