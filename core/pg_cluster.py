"""A throwaway PostgreSQL cluster for tests and benchmarks, from the system's own PostgreSQL
(Debian's ``postgresql`` package: ``/usr/lib/postgresql/<version>/bin``): ``initdb`` in a
temporary folder, ``pg_ctl start`` on a free port with its unix socket in that folder (no TCP),
``fsync=off`` (the data is thrown away), stopped and removed by ``stop()``.

``initdb`` refuses to run as root: when this process is root, the cluster is made and run by
the ``postgres`` system user (``runuser``) in a folder that user owns; clients connect over the
socket as the cluster's superuser ``rapid`` with ``trust`` authentication (the socket folder is
private to that user and root).

No Docker, nothing downloaded: ``find_bindir()`` is None when PostgreSQL is not installed, and
callers skip with that reason.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SUPERUSER = "rapid"
RUN_AS_WHEN_ROOT = "postgres"


def find_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl``: ``$RAPID_PG_BINDIR``, else the newest
    ``/usr/lib/postgresql/<N>/bin``, else ``pg_config --bindir``, else ``initdb`` on PATH."""
    given = os.environ.get("RAPID_PG_BINDIR")
    candidates: list[Path] = [Path(given)] if given else []

    def version(p: Path) -> int:
        return int(p.parent.name) if p.parent.name.isdigit() else 0

    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=10
            ).stdout.strip()
            candidates.append(Path(out))
        except (OSError, subprocess.SubprocessError):
            pass
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(Path(initdb).parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def why_unavailable() -> str | None:
    """None when a cluster can be started here, else the reason (for ``pytest.skip``)."""
    if find_bindir() is None:
        return (
            "PostgreSQL is not installed (no initdb/pg_ctl in /usr/lib/postgresql/*/bin or on"
            " PATH): `apt-get install postgresql` (make test does it through TEST_PKGS)"
        )
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(RUN_AS_WHEN_ROOT)
        except KeyError:
            return f"running as root and there is no '{RUN_AS_WHEN_ROOT}' user to run initdb as"
        if shutil.which("runuser") is None:
            return "running as root and runuser is missing (util-linux)"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgClusterError(RuntimeError):
    """The cluster could not be made or started; the message carries the server's log."""


class PgCluster:
    """One temporary cluster: ``start()`` returns the URL of its ``postgres`` database;
    ``url(dbname)`` names another; ``create_database`` makes one (from a template if given)."""

    def __init__(self, *, base: Path | None = None) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise PgClusterError(why_unavailable() or "PostgreSQL is not installed")
        self.bindir = bindir
        # short path: a unix socket's path is limited to ~107 bytes
        self.root = Path(tempfile.mkdtemp(prefix="rapid-pg-", dir=base or "/tmp"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        self._started = False
        if self._as_root:
            user = pwd.getpwnam(RUN_AS_WHEN_ROOT)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        os.chmod(self.root, 0o700)

    # -- running the server's programs -------------------------------------------------------

    def _run(self, program: str, *args: str, timeout: float = 60) -> str:
        cmd = [str(self.bindir / program), *args]
        if self._as_root:
            cmd = ["runuser", "-u", RUN_AS_WHEN_ROOT, "--", *cmd]
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C.UTF-8"
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=self.root
        )
        if proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
            raise PgClusterError(
                f"{program} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout}"
                + (f"\n--- server log ---\n{log}" if log else "")
            )
        return proc.stdout

    def start(self, *, settings: dict[str, str] | None = None) -> str:
        """initdb (UTF-8, C collation: byte order, as DuckDB sorts) and start; the URL of the
        ``postgres`` database. ``settings`` override the server settings below (benchmarks
        give a city-sized ``shared_buffers``, for example)."""
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        server = {
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
            "timezone": "UTC",
            **(settings or {}),
        }
        for name, value in server.items():
            if not re.fullmatch(r"[a-z_]+", name) or not re.fullmatch(r"[A-Za-z0-9_.]+", value):
                raise ValueError(f"bad server setting {name}={value!r}")
        options = " ".join(
            [f"-p {self.port}", f"-k {self.root}", "-c listen_addresses=''"]
            + [f"-c {name}={value}" for name, value in server.items()]
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start")
        self._started = True
        return self.url("postgres")

    def url(self, dbname: str) -> str:
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", dbname):
            raise ValueError(f"bad database name {dbname!r}")
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.root}&port={self.port}"

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database (a copy of ``template`` if given: fast, no migrations to run)."""
        import psycopg

        url = self.url(name)  # checks the name
        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            suffix = f" TEMPLATE {template}" if template else ""
            if template:
                self.url(template)
            con.execute(f"CREATE DATABASE {name}{suffix}")
        return url

    def drop_database(self, name: str) -> None:
        import psycopg

        self.url(name)
        with psycopg.connect(self.url("postgres"), autocommit=True) as con:
            con.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server (immediately: the data is thrown away) and remove the folder."""
        if self._started:
            self._started = False
            try:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
            except (PgClusterError, subprocess.SubprocessError):
                pass
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PgCluster:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
