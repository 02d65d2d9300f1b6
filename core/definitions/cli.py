"""``rapid apps check|add|new|deactivate|versions``: definition apps from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import click


def _error(message: str) -> click.ClickException:
    from core.cli.main import CliError

    return CliError(message)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _error(f"cannot read {path}: {exc.strerror or exc}") from None


@click.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def check_cmd(file: Path, as_json: bool) -> None:
    """Check a definition workbook without installing it: every problem with its sheet, row
    and column (exit 1), or the app it defines and its size in lines (exit 0). Checked
    against the installed apps too (prefixes, roles) when the database can be read."""
    from core.definitions import install
    from core.forms.model import DefinitionError

    data = _read(file)
    try:
        d = install.check(data)
    except DefinitionError as exc:
        if as_json:
            click.echo(
                json.dumps(
                    {
                        "ok": False,
                        "problems": [
                            {
                                "sheet": p.sheet,
                                "row": p.row,
                                "column": p.column,
                                "message": p.message,
                            }
                            for p in exc.problems
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for p in exc.problems:
                click.echo(f"{file.name}: {p}", err=True)
            click.echo(f"{len(exc.problems)} problem(s); nothing installed.", err=True)
        raise SystemExit(1) from None
    summary = {
        "ok": True,
        "app": d.app_id,
        "title_vi": d.title.vi,
        "title_en": d.title.en,
        "version": d.version,
        "lines": d.lines,
        "fields": len(d.form.fields),
        "workflow": d.workflow,
        "issue": d.issue,
        "token_prefix": d.token_prefix,
        "rules": len(d.rules),
        "panels": len(d.panels),
        "roles": [r.id for r in d.roles],
    }
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
        return
    click.echo(
        f"{file.name}: OK — app {d.app_id} ({d.title.vi} / {d.title.en}), version {d.version}: "
        f"{len(d.form.fields)} fields, workflow {d.workflow}, issue {d.issue}"
        + (f" ({d.token_prefix})" if d.token_prefix else "")
        + f", {len(d.rules)} rule(s), {len(d.panels)} panel(s); {d.lines} lines"
    )


@click.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--inactive", is_flag=True, help="Store the version without activating it.")
def add_cmd(file: Path, inactive: bool) -> None:
    """Check, install and activate a definition workbook (a new version of the app when it
    exists; a running server picks it up without a restart). Audited as the operator."""
    from core.auth import operator
    from core.cli.main import open_store
    from core.definitions import install
    from core.forms.model import DefinitionError

    data = _read(file)
    with open_store() as store:
        try:
            done = install.install(
                operator(),
                data,
                filename=file.name,
                source="cli",
                activate=not inactive,
                store=store,
            )
        except DefinitionError as exc:
            for p in exc.problems:
                click.echo(f"{file.name}: {p}", err=True)
            raise _error(f"{len(exc.problems)} problem(s); nothing installed") from None
    state = "active" if done.active else "stored, not active"
    again = "" if done.new else " (this very workbook was installed before)"
    click.echo(f"{done.app_id} version {done.version}: {state}, {done.lines} lines{again}")


@click.command("new")
@click.argument("name")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Default: <app id>.xlsx here."
)
def new_cmd(name: str, out: Path | None) -> None:
    """Write a starting definition workbook for NAME (e.g. "Phiếu đi chợ"): a small working
    app whose cells say what each row does. Edit it, then `rapid apps check` and `add`."""
    from core.definitions import starter

    try:
        app_id = starter.app_id_of(name)
        data = starter.starter(name)
    except ValueError as exc:
        raise _error(str(exc)) from None
    path = out or Path(f"{app_id}.xlsx")
    if path.exists():
        raise _error(f"{path} exists: give another --out")
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise _error(f"cannot write {path}: {exc.strerror or exc}") from None
    click.echo(f"wrote {path} (app {app_id}); next: rapid apps check {path}")


@click.command("deactivate")
@click.argument("app_id")
def deactivate_cmd(app_id: str) -> None:
    """Stop serving a definition app; its versions and data are kept. Audited."""
    from core.auth import operator
    from core.cli.main import open_store
    from core.definitions import install

    with open_store() as store:
        done = install.deactivate(operator(), app_id, store=store)
    if not done:
        raise _error(f"no active definition app {app_id!r}")
    click.echo(f"{app_id}: deactivated (versions and data kept)")


@click.command("versions")
@click.argument("app_id", required=False)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def versions_cmd(app_id: str | None, as_json: bool) -> None:
    """Every stored version of the definition apps (or of one)."""
    from core.auth import operator
    from core.cli.main import emit, open_store
    from core.definitions import install

    with open_store() as store:
        rows = install.versions(operator(), app_id, store=store)
    if as_json:
        emit(rows, True)
        return
    for r in rows:
        mark = "*" if r["active"] else " "
        click.echo(
            f"{mark} {r['app_id']:<24} v{r['version']:<3} {r['lines']:>4} lines  "
            f"{r['installed_at']:%Y-%m-%d %H:%M}  {r['installed_by']}  {r['filename']}"
        )
