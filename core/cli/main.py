"""The ``rapid`` command. Apps add commands through ``App.register_commands(cli)``.

Start-up is kept light (``rapid --help`` well under a second): this module imports only click
and the standard library at the top; each command imports what it needs when it runs, and
core's ``keys`` and ``qr`` groups are loaded only when invoked (``LAZY_GROUPS``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from core.config import ConfigError, get_settings, load_settings, set_settings
from core.registry import get_registry

if TYPE_CHECKING:
    from core import accounts
    from core.auth import Grant
    from core.store import Store

log = logging.getLogger(__name__)

SETTINGS_EXIT = 2
"""Exit code of ``rapid serve`` / ``rapid config`` when an app setting is invalid."""


class CliError(click.ClickException):
    """A clear message on stderr and a non-zero exit."""

    exit_code = 1


class CliRefusal(CliError):
    """A request refused as it stands (e.g. a copy into a database holding data): exit 2."""

    exit_code = 2


def _known_errors() -> tuple[type[Exception], ...]:
    """Failures shown as one line: imported here, when a command has already failed."""
    from core.accounts import AccountError
    from core.auth import GrantError, PermissionDenied
    from core.qr.keys import KeyStoreError
    from core.qr.service import IssueError
    from core.store import StoreError

    return (
        ConfigError,
        StoreError,
        AccountError,
        GrantError,
        PermissionDenied,
        KeyStoreError,
        IssueError,
    )


class LazyGroup(click.Group):
    """A group whose commands may be ``lazy[name] = ("package.module:command", "help")``:
    imported only when run (their one-line help is listed without importing them)."""

    def __init__(self, *args: Any, lazy: dict[str, tuple[str, str]] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.lazy: dict[str, tuple[str, str]] = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            from core.registry import resolve

            self.add_command(resolve(self.lazy[cmd_name][0]), cmd_name)  # type: ignore[arg-type]
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                cmd = self.commands[name]
                if not cmd.hidden:
                    rows.append((name, cmd.get_short_help_str(formatter.width)))
            else:
                rows.append((name, self.lazy[name][1]))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def add_lazy_command(group: click.Group, name: str, ref: str, short_help: str) -> None:
    """Add ``name`` to ``group``, imported from ``ref`` only when it runs (when ``group`` is a
    LazyGroup; otherwise imported now). For apps adding to core's groups (``rapid qr``)."""
    if isinstance(group, LazyGroup):
        group.lazy.setdefault(name, (ref, short_help))
    elif name not in group.commands:
        from core.registry import resolve

        group.add_command(resolve(ref), name)  # type: ignore[arg-type]


class RapidGroup(LazyGroup):
    """Turns known failures into one readable line on stderr and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.ClickException:
            raise
        except Exception as exc:
            if isinstance(exc, _known_errors()):
                raise CliError(str(exc)) from exc
            raise


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
    """The configured database for one CLI command (DuckDB, or PostgreSQL when
    ``database_url`` names one); a held lock or an unreachable server is a clear error."""
    from core import audit
    from core.store import open_store as open_target
    from core.store import set_store, store_target

    store = open_target(store_target(get_settings()))
    set_store(store)
    try:
        if migrate:
            store.migrate(get_registry().all_migrations())
            audit.import_pending(store)
            _serve_definitions(store)
        yield store
    finally:
        set_store(None)
        store.close()


@click.group(
    cls=RapidGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    lazy={
        "keys": (
            "core.cli.qr_commands:keys_group",
            "Signing keys: create, rotate, list, trust foreign signers, export the trust list.",
        ),
        "purge": ("core.cli.purge:purge_cmd", "Delete records older than their retention."),
    },
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="TOML config file.")
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def cli(config_file: Path | None, verbose: bool) -> None:
    """Rapid Response Suite: emergency apps on one platform (permits, health, isolation)."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    os.umask(0o077)  # files we create (database, WAL, keys, exports) are ours alone; the server
    # started by `rapid serve` inherits it
    try:
        set_settings(load_settings(config_file))
    except ConfigError as exc:
        raise CliError(str(exc)) from exc
    if click.get_current_context().invoked_subcommand in DEFINITION_COMMANDS:
        # their arguments may name a definition app's roles or prefixes: serve the active
        # definitions before the arguments are checked (read-only, skipped while serving)
        from core.definitions.install import attach_readonly
        from core.store import store_target

        attach_readonly(store_target(get_settings()))


DEFINITION_COMMANDS = frozenset({"users", "roles", "apps", "qr", "checkpoint"})
"""Commands whose arguments may name what definition apps declare (roles, token types)."""


def _serve_definitions(store: Store) -> None:
    """The definition apps active in ``store`` join the registry (``core.definitions``)."""
    from core.definitions import install

    try:
        install.sync(store)
    except Exception as exc:  # noqa: BLE001 - the built-in apps' commands must still work
        log.warning("definition apps not loaded: %s", exc)


def check_app_settings() -> None:
    """Stop with exit code 2, each problem on stderr, when an ``[apps.<id>]`` setting is
    unknown or invalid (TOML or ``RAPID_APPS__<APP>__<KEY>``)."""
    problems = get_registry().check_settings(get_settings())
    if problems:
        for problem in problems:
            click.echo(f"Error: {problem}", err=True)
        click.echo("The configuration is invalid: fix the settings above.", err=True)
        sys.exit(SETTINGS_EXIT)


@cli.group(
    "qr",
    cls=LazyGroup,
    lazy={
        "sign": ("core.cli.qr_commands:qr_sign", "Sign every line of a JSONL claims file."),
        "verify": ("core.cli.qr_commands:qr_verify", "Verify tokens; exit 0 only if all valid."),
        "render": ("core.cli.qr_commands:qr_render", "Render tokens as PNG, SVG or a PDF."),
    },
)
def qr_group() -> None:
    """Sign, verify and render QR tokens."""


@cli.command("config")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def config_cmd(as_json: bool) -> None:
    """Print the effective configuration (secrets hidden); exit 2 if an app setting is invalid."""
    check_app_settings()
    emit(get_settings().redacted(), as_json)


@cli.group()
def db() -> None:
    """Database maintenance."""


PERMISSIONS_EXIT = 3
"""Exit code when the data folder is open to other users and not ours to fix."""


def check_permissions() -> None:
    """The data folder 0700 and its files 0600 (the database and WAL too): fixed where they
    are ours (each fix on stderr), else exit 3 naming the file."""
    from core.store import PermissionProblem, check_data_permissions

    try:
        fixed = check_data_permissions(get_settings())
    except PermissionProblem as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(PERMISSIONS_EXIT)
    for text in fixed:
        click.echo(f"permissions tightened: {text}", err=True)


@db.command("migrate")
def db_migrate() -> None:
    """Apply pending migrations of core and every installed app (the data folder's permissions
    are checked first: exit 3 when too open and not ours)."""
    check_permissions()
    with open_store(migrate=False) as store:
        applied = store.migrate(get_registry().all_migrations())
        for mig in applied:
            click.echo(f"applied {mig.app_id}/{mig.path.name}")
        _check_forms(store)
    click.echo(f"{len(applied)} migration(s) applied; database {store.path} is up to date")


@db.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="A new folder for the backup (default: <data_dir>/backups/rapid-<time>).",
)
@click.option("--with-keys", is_flag=True, help="Also copy the signing keys (secrets!).")
def db_backup(folder: Path | None, with_keys: bool) -> None:
    """Write the whole database to a new folder, with a manifest of row counts: DuckDB's export
    (Parquet per table), or on PostgreSQL pg_dump's custom format. Stop the server first:
    DuckDB lets one process open the file."""
    from core import audit, backup
    from core.auth import operator

    settings = get_settings()
    target = folder or backup.default_folder(settings.data_dir)
    with open_store() as store:
        manifest = backup.backup(
            store,
            target,
            keys_dir=settings.keys_dir if with_keys else None,
            progress=lambda text: click.echo(text, err=True),
        )
        audit.record(
            operator(),
            "db.backup",
            "database",
            store.path,
            {"folder": str(target), "rows": sum(manifest.tables.values()), "keys": with_keys},
            store=store,
        )
    click.echo(
        f"backup written to {target}: {len(manifest.tables)} tables,"
        f" {sum(manifest.tables.values()):,} rows"
        + ("" if with_keys else "; the signing keys are not in it (--with-keys, or copy"
           f" {settings.keys_dir} yourself)")
    )  # fmt: skip


@db.command("restore")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--replace",
    is_flag=True,
    help="Replace a database that holds data (DuckDB: kept beside it as"
    " *.before-restore-<time>; PostgreSQL: backed up first into backups/before-restore-<time>).",
)
def db_restore(folder: Path, replace: bool) -> None:
    """Restore a backup folder as this installation's database, every table's row count checked
    against the backup. DuckDB: imported into a new file, then put in place. PostgreSQL:
    pg_restore --clean --if-exists in one transaction. Stop the server first."""
    from core import audit, backup
    from core.auth import operator

    settings = get_settings()
    check_permissions()
    done = backup.restore(
        folder,
        settings.postgres_url or Path(settings.database),
        replace=replace,
        keys_dir=settings.keys_dir,
        keep_in=backup.before_restore_folder(settings.data_dir),
        progress=lambda text: click.echo(text, err=True),
    )
    with open_store() as store:  # pending migrations of a newer suite apply here
        audit.record(
            operator(),
            "db.restore",
            "database",
            str(done.database),
            {"folder": str(folder), "rows": sum(done.tables.values())},
            store=store,
        )
    click.echo(
        f"restored {len(done.tables)} tables, {sum(done.tables.values()):,} rows into"
        f" {done.database} (counts match the backup)"
    )
    if done.kept is not None:
        click.echo(f"the database it replaced is kept as {done.kept}")
    if done.keys_restored:
        click.echo(f"signing keys restored into {settings.keys_dir}")


def _target_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--to``: a PostgreSQL URL naming a database (a bad one: exit 2, password not shown)."""
    from core.db_copy import CopyError, parse_target_url

    try:
        return parse_target_url(value)
    except CopyError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@db.command("copy")
@click.option(
    "--to",
    "url",
    required=True,
    callback=_target_url,
    metavar="postgresql://USER@HOST:PORT/DB",
    help="The PostgreSQL database to copy into. Its password: PGPASSWORD or ~/.pgpass (a"
    " password in the URL works but other local users see it in the process list).",
)
@click.option(
    "--replace", is_flag=True, help="Empty the target's tables first when they hold data."
)
def db_copy_cmd(url: str, replace: bool) -> None:
    """Copy this DuckDB installation into a PostgreSQL database: migrated, every table copied
    in one transaction (a failure leaves none of it), sequences carried on, every table's count
    checked on both sides. Refused (exit 2) when the target holds data, unless --replace. The
    signing keys stay in the data folder. Stop the server first."""
    from core import audit, db_copy
    from core.auth import operator
    from core.config import redact_url
    from core.store_postgres import PostgresStore

    settings = get_settings()
    if settings.postgres_url:
        raise CliRefusal(
            "this installation already uses PostgreSQL (database_url): db copy moves a DuckDB"
            " installation; to copy between PostgreSQL databases use db backup and db restore"
        )
    where = redact_url(url)
    if where != url:
        click.echo(
            "note: the URL holds a password, which other local users can read in the process"
            " list: prefer PGPASSWORD or ~/.pgpass",
            err=True,
        )
    migrations = get_registry().all_migrations()
    with open_store() as source:
        target = PostgresStore(url, max_size=2)
        try:
            done = db_copy.copy_database(
                source,
                target,
                migrations,
                replace=replace,
                progress=lambda text: click.echo(text, err=True),
            )
            details = {"to": where, "tables": len(done.tables), "rows": done.rows}
            audit.record(operator(), "db.copy", "database", source.path, details, store=target)
        except db_copy.TargetNotEmpty as exc:
            raise CliRefusal(str(exc)) from exc
        finally:
            target.close()
        audit.record(operator(), "db.copy", "database", source.path, details, store=source)
    width = max((len(t) for t in done.tables), default=5)
    click.echo(f"{'table':<{width}}  {'duckdb':>12}  {'postgresql':>12}")
    for table, (rows, copied) in done.tables.items():
        click.echo(f"{table:<{width}}  {rows:>12,}  {copied:>12,}")
    click.echo(
        f"copied {len(done.tables)} tables, {done.rows:,} rows into {where}; every count matches"
    )
    click.echo(
        f"The signing keys were not copied: they stay in {settings.keys_dir}. Serve the"
        f" PostgreSQL installation with the same data_dir ({settings.data_dir}) and"
        f" database_url = {where}."
    )


def _check_forms(store: Store) -> None:
    """Every app's forms must fit their tables: each problem printed, then exit 2."""
    problems = get_registry().form_problems(store)
    if problems:
        for problem in problems:
            click.echo(f"form/table mismatch: {problem}", err=True)
        raise SystemExit(2)


@cli.group(
    "apps",
    cls=LazyGroup,
    invoke_without_command=True,
    lazy={
        "check": (
            "core.definitions.cli:check_cmd",
            "Check a definition workbook: problems with sheet/row/column, its size.",
        ),
        "add": ("core.definitions.cli:add_cmd", "Check, install and activate a definition."),
        "new": ("core.definitions.cli:new_cmd", "Write a starting definition workbook."),
        "deactivate": ("core.definitions.cli:deactivate_cmd", "Stop serving a definition app."),
        "versions": ("core.definitions.cli:versions_cmd", "Installed definition versions."),
    },
)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_context
def apps_cmd(ctx: click.Context, as_json: bool) -> None:
    """List installed apps and plugins that failed to load; manage definition apps
    (emergency apps from one workbook, no Python: docs/FIRST-APP.md)."""
    if ctx.invoked_subcommand is not None:
        return
    reg = get_registry()
    data = [
        {
            "id": a.id,
            "title_vi": a.title_vi,
            "title_en": a.title_en,
            "pages": [p.key for p in a.pages],
            "token_types": [tk.prefix for tk in a.token_types],
            "panels": [p.key for p in a.panels],
            "roles": [r.id for r in a.roles],
            "depends_on": list(a.depends_on),
            "interfaces": sorted(a.interfaces),
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
        "roles": [str(g) for g in u.grants],
        "role_labels": u.grant_labels(),
        "disabled": u.disabled,
        "locked_until": u.locked_until,
        "last_login_at": u.last_login_at,
    }


def _grant_option(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """``ROLE`` or ``ROLE@ward:CODE`` / ``ROLE@province:CODE``, checked against the installed
    roles and ``core.geo``; a bad one is a usage error (exit 2) naming it."""
    from core.auth import GrantError, parse_grant

    values = value if isinstance(value, tuple) else (value,)
    out = []
    for text in values:
        try:
            out.append(parse_grant(text))
        except GrantError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param=param) from None
    return tuple(out) if isinstance(value, tuple) else out[0]


GRANT_HELP = (
    "ROLE or ROLE@ward:CODE / ROLE@province:CODE (codes of core.geo); roles: see `rapid roles`."
)


ARGV_PASSWORD = (
    "passwords are not taken on the command line (other local users see it in the process"
    " list, and it stays in the shell history): leave --password out and type it at the"
    " prompt, or pipe it in with --password-stdin"
)


def _no_argv_password(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    """The old ``--password VALUE``: a clear error telling the new way."""
    if value is not None:
        raise click.UsageError(ARGV_PASSWORD, ctx=ctx)


def _password_options(f: Any) -> Any:
    f = click.option(
        "--password",
        hidden=True,
        expose_value=False,
        callback=_no_argv_password,
        help="Refused: see --password-stdin.",
    )(f)
    return click.option(
        "--password-stdin",
        "password_stdin",
        is_flag=True,
        help="Read the password from the first line of standard input (else a hidden prompt).",
    )(f)


def _read_password(password_stdin: bool) -> str:
    """The password from stdin (``--password-stdin``, or when stdin is not a terminal) or a
    hidden prompt asked twice. Never from the command line or the environment."""
    if password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise CliError("no password on standard input")
        return line
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name.")
@click.option(
    "--role",
    "grants",
    multiple=True,
    required=True,
    callback=_grant_option,
    help=GRANT_HELP + " Repeat for several roles.",
)
@_password_options
def users_add(
    username: str, full_name: str, grants: tuple[Grant, ...], password_stdin: bool
) -> None:
    """Create an account holding one or more roles; the password is asked (hidden, twice) or
    read with --password-stdin."""
    from core import accounts
    from core.auth import operator

    pw = _read_password(password_stdin)
    with open_store() as store:
        user = accounts.create_user(operator(), username, full_name, grants, pw, store=store)
    click.echo(f"created {user.username} ({', '.join(str(g) for g in user.grants)})")


@users.command("grant")
@click.argument("username")
@click.argument("grant", callback=_grant_option, metavar="ROLE[@SCOPE]")
def users_grant(username: str, grant: Grant) -> None:
    """Give an account one more role, e.g. `rapid users grant lan health_officer`."""
    from core import accounts
    from core.auth import operator

    with open_store() as store:
        user = accounts.grant_role(operator(), username, grant, store=store)
    click.echo(f"{user.username}: {', '.join(str(g) for g in user.grants)}")


@users.command("revoke")
@click.argument("username")
@click.argument("grant", metavar="ROLE[@SCOPE]")
def users_revoke(username: str, grant: str) -> None:
    """Take a role away from an account (its open sessions end)."""
    from core import accounts
    from core.auth import operator

    with open_store() as store:
        user = accounts.revoke_role(operator(), username, grant, store=store)
    click.echo(f"{user.username}: {', '.join(str(g) for g in user.grants)}")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def users_list(as_json: bool) -> None:
    """List accounts with their roles."""
    from core import accounts
    from core.auth import operator

    with open_store() as store:
        rows = [_user_row(u) for u in accounts.list_users(operator(), store=store)]
    if as_json:
        emit(rows, True)
        return
    for row in rows:
        state = "  (disabled)" if row["disabled"] else ""
        roles = "; ".join(
            f"{label} [{grant}]"
            for grant, label in zip(row["roles"], row["role_labels"], strict=True)
        )
        click.echo(f"{row['username']:<20} {row['full_name']}  —  {roles}{state}")


@cli.command("roles")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def roles_cmd(as_json: bool) -> None:
    """Roles declared by core and the installed apps, and how far each may be scoped."""
    rows = [
        {"id": r.id, "label_vi": r.label_vi, "label_en": r.label_en, "scope": r.scope or ""}
        for r in get_registry().roles()
    ]
    if as_json:
        emit(rows, True)
        return
    for r in rows:
        scope = f"  (scope: {r['scope']})" if r["scope"] else ""
        click.echo(f"{r['id']:<16} {r['label_vi']} / {r['label_en']}{scope}")


@users.command("disable")
@click.argument("username")
def users_disable(username: str) -> None:
    """Disable an account (it can no longer log in)."""
    from core import accounts
    from core.auth import operator

    with open_store() as store:
        accounts.set_disabled(operator(), username, True, store=store)
    click.echo(f"disabled {username}")


@users.command("enable")
@click.argument("username")
def users_enable(username: str) -> None:
    """Enable a disabled account and clear its login throttle."""
    from core import accounts
    from core.auth import operator

    with open_store() as store:
        accounts.set_disabled(operator(), username, False, store=store)
    click.echo(f"enabled {username}")


@users.command("reset-password")
@click.argument("username")
@_password_options
@click.option(
    "--keep",
    is_flag=True,
    help="The user need not change it at the next login (default: they must).",
)
def users_reset_password(username: str, password_stdin: bool, keep: bool) -> None:
    """Set a new password (asked, or --password-stdin) and clear the login throttle; the user
    must change it at their next login."""
    from core import accounts
    from core.auth import operator

    pw = _read_password(password_stdin)
    with open_store() as store:
        accounts.reset_password(operator(), username, pw, must_change=not keep, store=store)
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
    from core import audit, clock
    from core.auth import operator

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
    """Seed demo data: 'small' is quick; 'city' is Da Nang 2021's volumes, with the small demo's
    logins. Its figures are the totals `rapid stats` then shows: on an installation that already
    holds the small demo, the city demo adds only what is missing, and asked again it adds no
    second city."""
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


@cli.group("risk")
def risk_group() -> None:
    """People's risk status (core.risk): isolation, declarations, exposures."""


@risk_group.command("rebuild")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def risk_rebuild(as_json: bool) -> None:
    """Take every app's risk signals again (the isolation register, the latest declarations):
    the backfill after an upgrade, or a repair. Audited."""
    from core import risk
    from core.auth import operator

    with open_store() as store:
        counts = risk.rebuild(operator(), store=store)
    if as_json:
        emit(counts, True)
        return
    for source, n in sorted(counts.items()):
        click.echo(f"{source:<12} {n:>10,}")


@cli.command("init")
def init_cmd() -> None:
    """Prepare a real (non-demo) installation: the data folder, keys and database, and one
    account, admin, with a random password shown here once; it must be changed at the first
    login. Refused when accounts exist."""
    from core.demo import create_first_admin

    check_app_settings()
    check_permissions()
    with open_store() as store:
        _check_forms(store)
        from core import audit
        from core.cli import extensions

        username, password = create_first_admin(store)
        new_kid = extensions.prepare_keys()
        if new_kid is not None:
            audit.record("system", "key.create", "key", new_kid, store=store)
    _show_first_admin(username, password)


def _show_first_admin(username: str, password: str) -> None:
    """The one time the first admin's password is shown (this terminal only)."""
    click.echo("A new installation (not the demo). Its one account, shown this once:")
    click.echo(f"  username: {username}")
    click.echo(f"  password: {password}")
    click.echo("Log in and choose your own password (asked at the first login). Lost it? Run")
    click.echo(f"`rapid users reset-password {username}` on this server.")


@cli.command("serve")
@click.option("--port", type=int, help="Port (default from config, 8501).")
@click.option("--no-demo", is_flag=True, help="Do not seed demo data on first start.")
def serve_cmd(port: int | None, no_demo: bool) -> None:
    """Prepare the data folder, keys and database, seed the demo once (or, with --no-demo or
    demo_on_first_start = false, create one admin with a random password shown once), then
    serve the suite. Exits 2 when an app setting is invalid, 3 when the data folder is open to
    other users and not ours to fix (nothing started)."""
    from core.demo import is_demo, prepare

    check_app_settings()
    check_permissions()
    settings = get_settings()
    with open_store() as store:
        _check_forms(store)
        with _progress() as progress:
            _, first_admin = prepare(
                store, seed=settings.demo_on_first_start and not no_demo, progress=progress
            )
        demo = is_demo(store)
    port = port or settings.port
    os.environ["RAPID_PORT"] = str(port)  # the server's settings (and QR links) use this port
    click.echo(f"Rapid Response Suite: http://{settings.host}:{port}")
    if first_admin is not None:
        _show_first_admin(*first_admin)
    elif demo:
        click.echo("Demo installation: logins in README.md (public data and passwords).")
    app_path = Path(__file__).resolve().parent.parent / "web" / "server.py"
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
        "--server.maxUploadSize",
        "20",
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
    for app in get_registry().apps:
        if app.register_commands is not None:
            try:
                app.register_commands(cli)
            except Exception as exc:  # noqa: BLE001 - a broken plugin must not take the CLI down
                log.warning("app %s could not add its commands: %s", app.id, exc)
    return cli


def main() -> None:
    build_cli()(prog_name="rapid")
