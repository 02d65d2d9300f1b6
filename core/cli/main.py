"""The ``rapid`` command. Apps add commands through ``App.register_commands(cli)``."""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from core import accounts, audit, clock
from core.auth import PermissionDenied, operator
from core.config import ConfigError, get_settings, load_settings, set_settings
from core.qr.keys import KeyStoreError
from core.qr.service import IssueError
from core.registry import ROLES, get_registry
from core.store import Store, StoreError, set_store

log = logging.getLogger(__name__)


class CliError(click.ClickException):
    """A clear message on stderr and a non-zero exit."""

    exit_code = 1


class RapidGroup(click.Group):
    """Turns known failures into one readable line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (
            ConfigError,
            StoreError,
            accounts.AccountError,
            PermissionDenied,
            KeyStoreError,
            IssueError,
        ) as exc:
            raise CliError(str(exc)) from exc


def emit(data: Any, as_json: bool) -> None:
    """Print a JSON document (for scripts) or a readable listing (for people)."""
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, default=str))
        return
    if isinstance(data, list):
        for row in data:
            click.echo(
                "  ".join(f"{k}={v}" for k, v in row.items()) if isinstance(row, dict) else row
            )
    elif isinstance(data, dict):
        width = max((len(str(k)) for k in data), default=0)
        for key, value in data.items():
            click.echo(f"{key:<{width}}  {value}")
    else:
        click.echo(data)


@contextmanager
def open_store(migrate: bool = True) -> Iterator[Store]:
    """The configured database for one CLI command; a held lock is a clear error."""
    settings = get_settings()
    store = Store(settings.database)
    set_store(store)
    try:
        if migrate:
            store.migrate(get_registry().all_migrations())
            audit.import_pending(store)
        yield store
    finally:
        set_store(None)
        store.close()


@click.group(cls=RapidGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="TOML config file.")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def cli(config_file: Path | None, verbose: bool) -> None:
    """Rapid Response Suite: emergency apps on one platform (permits, health, isolation)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        set_settings(load_settings(config_file))
    except ConfigError as exc:
        raise CliError(str(exc)) from exc


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def config_cmd(as_json: bool) -> None:
    """Print the effective configuration (secrets hidden)."""
    emit(get_settings().redacted(), as_json)


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations of core and every installed app."""
    settings = get_settings()
    with open_store(migrate=False) as store:
        applied = store.migrate(get_registry().all_migrations())
    for mig in applied:
        click.echo(f"applied {mig.app_id}/{mig.path.name}")
    click.echo(f"{len(applied)} migration(s) applied; database {settings.database} is up to date")


@cli.command("apps")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def apps_cmd(as_json: bool) -> None:
    """List installed apps and plugins that failed to load."""
    reg = get_registry()
    data = [
        {
            "id": a.id,
            "title_vi": a.title_vi,
            "title_en": a.title_en,
            "pages": [p.key for p in a.pages],
            "token_types": [tk.prefix for tk in a.token_types],
            "panels": [p.key for p in a.panels],
            "migrations": [m.path.name for m in reg.all_migrations() if m.app_id == a.id],
            "demo": a.seed_demo is not None,
            "status": "ok",
        }
        for a in reg.apps
    ] + [{"id": e.name, "status": "error", "error": e.message} for e in reg.errors]
    if as_json:
        emit(data, True)
        return
    for row in data:
        if row["status"] == "ok":
            click.echo(
                f"{row['id']:<20} {row['title_vi']} / {row['title_en']}  ({len(row['pages'])} pages)"
            )
        else:
            click.echo(f"{row['id']:<20} ERROR: {row['error']}")


# -- users ------------------------------------------------------------------------------------


@cli.group()
def users() -> None:
    """Manage local accounts."""


def _user_row(u: accounts.User) -> dict[str, Any]:
    return {
        "username": u.username,
        "full_name": u.full_name,
        "role": u.role,
        "disabled": u.disabled,
        "locked_until": u.locked_until,
        "last_login_at": u.last_login_at,
    }


def _read_password(password: str | None) -> str:
    if password is not None:
        return password
    env = os.environ.get("RAPID_NEW_PASSWORD")
    if env:
        return env
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise CliError("no password given: use --password, RAPID_NEW_PASSWORD or stdin")
        return line
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--password", help="Password (else RAPID_NEW_PASSWORD, stdin or a prompt).")
def users_add(username: str, full_name: str, role: str, password: str | None) -> None:
    """Create an account."""
    pw = _read_password(password)
    with open_store() as store:
        user = accounts.create_user(operator(), username, full_name, role, pw, store=store)
    click.echo(f"created {user.username} ({user.role})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def users_list(as_json: bool) -> None:
    """List accounts."""
    with open_store() as store:
        rows = [_user_row(u) for u in accounts.list_users(operator(), store=store)]
    emit(rows, as_json)


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account (it can no longer log in)."""
    with open_store() as store:
        accounts.set_disabled(operator(), username, True, store=store)
    click.echo(f"disabled {username}")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account and clear its lockout."""
    with open_store() as store:
        accounts.set_disabled(operator(), username, False, store=store)
    click.echo(f"enabled {username}")


@users.command("reset-password")
@click.argument("username")
@click.option("--password", help="New password (else RAPID_NEW_PASSWORD, stdin or a prompt).")
def users_reset_password(username: str, password: str | None) -> None:
    """Set a new password and clear any lockout."""
    pw = _read_password(password)
    with open_store() as store:
        accounts.reset_password(operator(), username, pw, store=store)
    click.echo(f"password of {username} reset")


# -- audit, demo, stats, serve ----------------------------------------------------------------


@cli.command("audit")
@click.option("--json", "as_json", is_flag=True, help="One JSON document.")
@click.option("--action", help="Only this action, e.g. permit.approve.")
@click.option("--actor", help="Only this actor.")
@click.option("--search", "text", help="Text in the object id, action or details.")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100_000))
def audit_cmd(
    as_json: bool, action: str | None, actor: str | None, text: str | None, limit: int
) -> None:
    """Search the audit log, newest first."""
    with open_store() as store:
        frame = audit.search(
            operator(), action=action, actor=actor, text=text, limit=limit, store=store
        )
    rows = frame.to_dict(orient="records")
    if as_json:
        emit(rows, True)
        return
    for r in rows:
        click.echo(
            f"{clock.fmt_local(r['occurred_at'], '%Y-%m-%d %H:%M:%S')}  {r['actor']:<18} {r['action']:<24} {r['object_type']}:{r['object_id']}  {r['details']}"
        )


@cli.command("demo")
@click.option("--scale", type=click.Choice(["small", "city"]), default="small", show_default=True)
@click.option("--app", "app_ids", multiple=True, help="Only these apps (default: all).")
def demo_cmd(scale: str, app_ids: tuple[str, ...]) -> None:
    """Seed demo data: 'small' is quick; 'city' is Da Nang 2021's volumes."""
    from core.demo import seed_demo

    with open_store() as store, _progress() as progress:
        seed_demo(store, scale, app_ids=app_ids or None, progress=progress)  # type: ignore[arg-type]
    click.echo(f"demo data ({scale}) seeded")


@cli.command("stats")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def stats_cmd(as_json: bool) -> None:
    """Counts reported by each app."""
    from core.demo import collect_stats

    with open_store() as store:
        data = collect_stats(store)
    if as_json:
        emit(data, True)
        return
    for app_id, values in data.items():
        click.echo(f"[{app_id}]")
        for key, value in values.items():
            click.echo(f"  {key:<28} {value}")


@cli.command("serve")
@click.option("--port", type=int, help="Port (default from config, 8501).")
@click.option("--no-demo", is_flag=True, help="Do not seed demo data on first start.")
def serve_cmd(port: int | None, no_demo: bool) -> None:
    """Prepare the data folder, keys and database, seed the demo once, then serve the suite."""
    from core.demo import DEMO_PASSWORD, demo_logins, prepare

    settings = get_settings()
    with open_store() as store, _progress() as progress:
        seeded = prepare(
            store, seed=settings.demo_on_first_start and not no_demo, progress=progress
        )
        logins = demo_logins(store)
    port = port or settings.port
    os.environ["RAPID_PORT"] = str(port)  # the server's settings (and QR links) use this port
    click.echo(f"Rapid Response Suite: http://{settings.host}:{port}")
    if seeded or logins:
        click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for name, role in logins:
            click.echo(f"  {name:<16} {role}")
    app_path = Path(__file__).resolve().parent.parent / "ui" / "app.py"
    args = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app_path),
        "--server.port",
        str(port),
        "--server.address",
        settings.host,
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
        "--theme.base",
        "light",
        "--client.toolbarMode",
        "viewer",
    ]
    sys.stdout.flush()
    os.execv(sys.executable, args)


@contextmanager
def _progress() -> Iterator[Any]:
    """A terminal progress bar; yields ``callback(fraction, label)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        transient=not sys.stderr.isatty(),
        console=None,
    ) as bar:
        task = bar.add_task("", total=1.0)

        def update(fraction: float, label: str) -> None:
            bar.update(task, completed=max(0.0, min(1.0, fraction)), description=label)

        yield update


def build_cli() -> click.Group:
    """The root group with every app's commands added."""
    from core.cli import extensions

    extensions.register_core(cli)
    for app in get_registry().apps:
        if app.register_commands is not None:
            try:
                app.register_commands(cli)
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the CLI down
                log.warning("app %s could not add its commands: %s", app.id, exc)
    return cli


def main() -> None:
    build_cli()(prog_name="rapid")
