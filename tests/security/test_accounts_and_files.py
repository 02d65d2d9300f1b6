"""Issue 14, items 2, 7, 8, 14 and 17: default credentials, login guessing and lockout, files
other local users can read, the plain cookie over HTTPS, dependencies. Each test is an attack
the review ran against c45f022 (its docstring says which) and fails there."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tomllib
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from core import accounts, demo, login_sessions
from core.accounts import AccountError
from core.testkit import page_text, run_page

ROOT = Path(__file__).resolve().parents[2]
RAPID = str(Path(sys.executable).parent / "rapid")
APP = str(ROOT / "core" / "ui" / "app.py")
BANNER_VI = "Bản trình diễn — dữ liệu và mật khẩu công khai, không dùng cho dữ liệu thật"
GOOD = "Mat-khau-2021"


def _cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(tmp_path / "data")
    env.update(extra)
    return env


def rapid(env: dict[str, str], *args: str, input: str | None = None):
    return subprocess.run(
        [RAPID, *args], env=env, capture_output=True, text=True, input=input, timeout=180, cwd=ROOT
    )


def _serve_banner(env: dict[str, str], monkeypatch) -> str:
    """What ``rapid serve`` prints before it hands over to Streamlit (``os.execv`` stopped)."""
    from core.cli import main

    def no_exec(*args, **kwargs):
        raise SystemExit(0)

    monkeypatch.setattr(main.os, "execv", no_exec)
    old_mask = os.umask(0o022)
    os.umask(old_mask)
    try:
        result = CliRunner().invoke(main.cli, ["serve", "--port", "8799"], env=env)
    finally:
        os.umask(old_mask)
        from core.config import set_settings
        from core.store import set_store

        set_settings(None)
        set_store(None)
    assert result.exit_code == 0, result.output
    return result.output


# -- item 2: default credentials ------------------------------------------------------------------


def _html(response) -> str:
    body = response.body
    return body if isinstance(body, str) else body.decode()


def test_item2_demo_installation_says_so_on_every_page(store, web_client):
    """A published password on a server that looks real: every staff and citizens' page of a
    demo installation must say it is a demo (recorded when the demo is seeded, not guessed)."""
    from core.web import layout

    assert not demo.is_demo(store)
    assert BANNER_VI not in page_text(run_page("core.login"))
    assert BANNER_VI not in _html(layout.page(None, "x", "y"))
    demo.ensure_demo_users(store)
    store.set_state(demo.SEEDED_KEY, "small")
    demo.mark_kind(store, demo.DEMO)
    assert store.get_state(demo.KIND_KEY) == "demo"
    assert BANNER_VI in page_text(run_page("core.login"))
    assert BANNER_VI in page_text(
        run_page("core.accounts", accounts.principal_for(accounts.get_user("admin")))
    )
    html = web_client.get("/khai-bao").text
    assert BANNER_VI in html
    english = _html(layout.page(None, "x", "y", locale="en"))
    assert "Demo installation" in english


def test_item2_init_creates_one_admin_whose_random_password_is_shown_once(tmp_path, monkeypatch):
    """Every fresh install had admin / DaNang@2021: `rapid init` must create one admin with a
    random password, shown once, changed at first login; later starts never print it."""
    env = _cli_env(tmp_path)
    out = rapid(env, "init")
    assert out.returncode == 0, out.stderr
    password = re.search(r"password: (\S+)", out.stdout).group(1)
    assert password != demo.DEMO_PASSWORD and len(password) >= 16
    assert rapid(env, "init").returncode == 1  # never a second time
    users = __import__("json").loads(rapid(env, "users", "list", "--json").stdout)
    assert [(u["username"], u["roles"]) for u in users] == [("admin", ["admin"])]
    banner = _serve_banner(env, monkeypatch)
    assert password not in banner and demo.DEMO_PASSWORD not in banner
    assert "Demo" not in banner
    from core.store import Store

    store = Store(tmp_path / "data" / "rapid.duckdb")
    try:
        from core.config import Settings, set_settings

        set_settings(Settings(data_dir=tmp_path / "data"))
        assert demo.installation_kind(store) == demo.PRODUCTION
        principal = accounts.authenticate("admin", password, store=store)
        assert principal.must_change_password
    finally:
        store.close()


def test_item2_first_start_without_demo_shows_the_password_once(tmp_path, monkeypatch):
    """RAPID_DEMO_ON_FIRST_START=false used to give no account at all or the demo's; the first
    start creates the admin and shows its password, the second start does not."""
    env = _cli_env(tmp_path, RAPID_DEMO_ON_FIRST_START="false")
    first = _serve_banner(env, monkeypatch)
    password = re.search(r"password: (\S+)", first).group(1)
    second = _serve_banner(env, monkeypatch)
    assert password not in second and "password" not in second.lower()


def test_item2_demo_start_banner_never_prints_the_password(tmp_path, monkeypatch):
    """Every `rapid serve` of a demo printed 'password for all: DaNang@2021'."""
    from core.config import Settings, set_settings
    from core.registry import get_registry
    from core.store import Store

    set_settings(Settings(data_dir=tmp_path / "data"))
    store = Store(tmp_path / "data" / "rapid.duckdb")
    store.migrate(get_registry().all_migrations())
    demo.ensure_demo_users(store)
    store.set_state(demo.SEEDED_KEY, "small")
    store.close()
    banner = _serve_banner(_cli_env(tmp_path), monkeypatch)
    assert demo.DEMO_PASSWORD not in banner
    assert "Demo installation: logins in README" in banner


def test_item2_first_login_forces_a_password_change(store, admin):
    """The init admin (or a reset by an admin) could keep the password someone else saw: no
    page opens until it is changed."""
    accounts.create_user(admin, "boss", "Quản Trị", "admin", GOOD, store=store)
    accounts.reset_password(admin, "boss", "Given-by-admin-1", store=store)
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input[0].input("boss")
    at.text_input[1].input("Given-by-admin-1")
    at.button[0].click()
    at = at.run()
    assert not at.exception
    text = page_text(at)
    assert "Đổi mật khẩu" in text and "Quản lý tài khoản" not in text
    assert [p.proto.label for p in at.get("page_link")] == ["Đổi mật khẩu"]  # nothing else
    principal = accounts.principal_for(accounts.get_user("boss"))
    page = run_page("core.accounts", principal)
    assert "Mật khẩu hiện tại" in page_text(page) and "Quản lý tài khoản" not in page_text(page)
    at.text_input[0].input("Given-by-admin-1")
    at.text_input[1].input("My-own-secret-77")
    at.text_input[2].input("My-own-secret-77")
    at.button[0].click()
    at = at.run()
    assert not at.exception
    assert not accounts.get_user("boss").must_change_password
    assert "Quản lý tài khoản" in [p.proto.label for p in at.get("page_link")]


def test_item2_passwords_are_never_taken_on_the_command_line(tmp_path):
    """`rapid users add … --password SECRET` put the password in `ps` output and shell history."""
    env = _cli_env(tmp_path)
    base = ["users", "add", "lan", "--name", "Lan", "--role", "approver"]
    out = rapid(env, *base, "--password", "Secret-pass-123")
    assert out.returncode == 2 and "--password-stdin" in out.stderr
    assert rapid(env, "users", "list", "--json").stdout.strip() == "[]"
    out = rapid(env, *base, "--password-stdin", input="Secret-pass-123\n")
    assert out.returncode == 0, out.stderr
    out = rapid(env, "users", "reset-password", "lan", "--password", "Other-pass-456")
    assert out.returncode == 2 and "--password-stdin" in out.stderr


# -- item 7: login guessing ------------------------------------------------------------------------


def _fail(
    username: str, password: str = "Wrong-pass-99", client: str | None = None
) -> AccountError:
    with pytest.raises(AccountError) as err:
        accounts.authenticate(username, password, client=client)
    return err.value


def test_item7_fifty_wrong_guesses_never_keep_the_real_admin_out(store, admin, frozen_clock):
    """Five wrong guesses locked any account, admin included, for 15 minutes, repeatably: an
    attacker's 50 guesses must only slow guessing; the admin logs in after the wait."""
    accounts.create_user(admin, "boss", "Quản Trị", "admin", GOOD, store=store)
    attacker, office = "203.0.113.9", "198.51.100.7"
    waits = []
    for _ in range(50):
        wait = accounts.login_wait("boss", attacker)
        frozen_clock[0] += timedelta(seconds=wait, microseconds=1)
        waits.append(_fail("boss", client=attacker).retry_after)
    assert waits[:4] == [1, 1, 1, 1] and waits[4:8] == [1, 2, 4, 8] and max(waits) == 900
    assert _fail("boss", GOOD, attacker).code == "throttled"  # refused unread meanwhile
    wait = accounts.login_wait("boss", office)
    assert 0 < wait <= 60  # the account-wide throttle never waits longer than a minute
    assert _fail("boss", GOOD, office).code == "throttled"
    frozen_clock[0] += timedelta(seconds=wait, microseconds=1)
    assert accounts.authenticate("boss", GOOD, client=office).username == "boss"
    frozen_clock[0] += timedelta(seconds=accounts.login_wait("boss", attacker), microseconds=1)
    assert accounts.authenticate("boss", GOOD, client=attacker).username == "boss"
    rows = store.scalar("SELECT count(*) FROM audit_log WHERE action = 'login.throttle'")
    assert rows >= 40  # admins see the guessing


def test_item7_messages_are_identical_for_existing_and_unknown_names(store, admin, frozen_clock):
    """The lockout message ('Tài khoản tạm khóa') came only for real accounts: a way to list
    which usernames exist."""
    accounts.create_user(admin, "boss", "Quản Trị", "admin", GOOD, store=store)
    real = [str(_fail("boss", client="203.0.113.9")) for _ in range(8)]
    ghost = [str(_fail("ghost", client="203.0.113.10")) for _ in range(8)]
    assert real == ghost
    assert all(m.startswith("Tên đăng nhập hoặc mật khẩu không đúng, hoặc cần đợi") for m in real)


def test_item7_a_disabled_user_sees_the_generic_message(store, admin):
    """'Tài khoản đã bị vô hiệu hóa' confirmed the password of a disabled account."""
    accounts.create_user(admin, "lan", "Lan", "approver", GOOD, store=store)
    wrong = str(_fail("lan"))
    accounts.set_disabled(admin, "lan", True, store=store)
    assert str(_fail("lan", GOOD)) == wrong
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'login.disabled'") == 1


# -- item 8: files readable by every local user ---------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_item8_new_data_folder_database_and_keys_are_private(tmp_path):
    """The data folder came out 0755 and rapid.duckdb 0644: any local user read CCCDs."""
    env = _cli_env(tmp_path)
    assert rapid(env, "init").returncode == 0
    data = tmp_path / "data"
    assert _mode(data) == 0o700 and _mode(data / "keys") == 0o700
    for path in data.rglob("*"):
        if path.is_file():
            assert _mode(path) & 0o077 == 0, path


def test_item8_too_open_files_are_fixed_at_start(tmp_path):
    """An existing 0755 data folder with a 0644 database and WAL stayed readable."""
    env = _cli_env(tmp_path)
    assert rapid(env, "db", "migrate").returncode == 0
    data = tmp_path / "data"
    db, wal = data / "rapid.duckdb", data / "rapid.duckdb.wal"
    wal.write_bytes(b"")
    (data / "keys").mkdir(exist_ok=True)
    key = data / "keys" / "old.key"
    key.write_bytes(b"secret")
    os.chmod(data, 0o755)
    os.chmod(data / "keys", 0o755)
    for f in (db, wal, key):
        os.chmod(f, 0o644)
    out = rapid(env, "db", "migrate")
    assert out.returncode == 0, out.stderr
    assert "permissions tightened" in out.stderr
    assert _mode(data) == 0o700 and _mode(data / "keys") == 0o700
    assert _mode(db) == 0o600 and _mode(key) == 0o600
    assert f"{wal}: mode 644 -> 600" in out.stderr  # fixed before DuckDB replayed and removed it


def test_item8_too_open_files_of_another_user_refuse_to_start(tmp_path):
    """A data folder another user owns and leaves open cannot be made private by us: refuse
    with a clear error and exit code rather than serve from it."""
    env = _cli_env(tmp_path)
    assert rapid(env, "db", "migrate").returncode == 0
    db = tmp_path / "data" / "rapid.duckdb"
    os.chmod(db, 0o644)
    if os.geteuid() == 0:
        os.chown(db, 65534, 65534)
        out = rapid(env, "db", "migrate")
        assert out.returncode == 3
        assert str(db) in out.stderr and "chmod 600" in out.stderr
        os.chown(db, 0, 0)
    else:  # not root: pretend to be someone else
        from core.store import PermissionProblem, check_private

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("core.store.os.geteuid", lambda: os.getuid() + 1)
            with pytest.raises(PermissionProblem, match="chmod 600"):
                check_private([db])


# -- item 14: the plain cookie over HTTPS ---------------------------------------------------------


@pytest.mark.parametrize("https", [True, False])
def test_item14_https_accepts_only_the_host_prefixed_cookie(store, admin, monkeypatch, https):
    """Over HTTPS the plain `rapid_session` cookie (which a sibling subdomain or a plain-HTTP
    response can plant) resumed a login beside the `__Host-` one."""
    from core.config import get_settings
    from core.ui import session

    user = accounts.create_user(admin, "lan", "Lan", "approver", GOOD, store=store)
    token = login_sessions.open_session(accounts.principal_for(user), store=store)
    get_settings().base_url = "https://rapid.example.vn" if https else "http://localhost:8501"
    planted = {login_sessions.COOKIE: token}
    proper = {login_sessions.SECURE_COOKIE if https else login_sessions.COOKIE: token}
    assert login_sessions.cookie_token(planted, https) == (None if https else token)
    assert login_sessions.cookie_token(proper, https) == token
    if https:  # the http page never sees a __Host- cookie (browsers refuse it there)
        assert login_sessions.cookie_token({login_sessions.SECURE_COOKIE: token}, False) is None

    for cookies, resumed in ((planted, not https), (proper, True)):
        monkeypatch.setattr(session, "_browser_cookies", lambda c=cookies: c)
        at = AppTest.from_function(_resume_probe, default_timeout=30).run()
        assert not at.exception, at.exception
        assert (at.markdown[0].value == "resumed") is resumed, (cookies, https)


def _resume_probe() -> None:
    import streamlit as st

    from core.ui import session

    st.markdown("resumed" if session.resume_login() else "not resumed")


# -- item 17: dependencies -------------------------------------------------------------------------

DEV_TOOLS = {
    "pytest",
    "pytest-xdist",
    "hypothesis",
    "playwright",
    "ruff",
    "locust",
    "qrcode",
    "base45",
    "httpx2",
    "uv",
    "pip-tools",
}
FIXED = {  # package: first version without the advisories named in pyproject.toml
    "cbor2": (5, 9, 0),
    "cryptography": (50, 0, 0),
    "jinja2": (3, 1, 6),
    "starlette": (1, 3, 1),
    "python-multipart": (0, 0, 26),
    "pillow": (12, 3, 0),
    "pyarrow": (14, 0, 1),
    "streamlit": (1, 37, 0),
}


def _locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """{package: (version, hashes)} of a pip-compile/uv lock file."""
    out: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in path.read_text().splitlines():
        pin = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s\\;]+)", line)
        if pin:
            name = pin.group(1).lower()
            out[name] = (pin.group(2), [])
        elif line.strip() and not line.startswith((" ", "#")):
            raise AssertionError(f"unpinned line in {path.name}: {line}")
        for digest in re.findall(r"--hash=sha256:([0-9a-f]{64})", line):
            assert name is not None
            out[name][1].append(digest)
    return out


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def test_item17_locks_pin_every_package_with_hashes_and_runtime_has_no_dev_tools():
    """Lower bounds only and no lock: `make run` installed whatever the index served (and the
    dev extras); cbor2>=5.6 admitted versions with published advisories."""
    run, dev = (_locked(ROOT / "requirements" / f"{n}.txt") for n in ("run", "dev"))
    assert run and dev
    for lock in (run, dev):
        for name, (version, hashes) in lock.items():
            assert hashes, f"{name}=={version} has no hash"
    assert not DEV_TOOLS & set(run), DEV_TOOLS & set(run)
    assert {"pytest", "hypothesis", "playwright", "ruff"} <= set(dev)
    for name, (version, _) in run.items():  # the dev lock installs the same runtime versions
        assert dev[name][0] == version, name
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floors = {}
    for spec in project["dependencies"]:
        m = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[A-Za-z0-9_,\-]+\])?>=([0-9.]+)", spec)
        floors[m.group(1).lower()] = _version(m.group(2))
    for name, fixed in FIXED.items():
        assert floors[name] >= fixed, (name, floors[name], fixed)
        assert _version(run[name][0]) >= fixed, name
    for direct in ("defusedxml", "numpy", "pillow", "markupsafe"):  # imported or relied on
        assert direct in floors and direct in run
    makefile = (ROOT / "Makefile").read_text()
    assert "--require-hashes -r requirements/run.txt" in makefile
    assert re.search(r"^\$\(VENV\)/\.installed: requirements/run\.txt", makefile, re.M)
    assert re.search(r"^\$\(VENV\)/\.installed-dev: .*requirements/dev\.txt", makefile, re.M)
    assert re.search(r"^run: .*install\b(?!-dev)", makefile, re.M)
    assert "'.[dev]'" not in makefile
