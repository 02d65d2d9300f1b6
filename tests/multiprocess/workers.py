"""What each server process does in ``test_pg_processes``: every function runs in a process of
its own (``python -m tests.multiprocess.workers``, a fresh interpreter), opens the shared
PostgreSQL database by its URL, waits at a barrier with the others (so the processes really
race) and prints its result as one line of JSON."""

from __future__ import annotations

import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BARRIER_TIMEOUT_S = 300
RESULT = "RESULT "
"""The start of the line that carries a worker's result (its other output is logging)."""


@dataclass(frozen=True)
class Barrier:
    """Processes meet in a folder: each writes its mark, then waits for all ``parties``."""

    folder: str
    parties: int
    index: int

    def wait(self) -> None:
        folder = Path(self.folder)
        (folder / f"ready-{self.index}").touch()
        deadline = time.monotonic() + BARRIER_TIMEOUT_S
        while len(list(folder.glob("ready-*"))) < self.parties:
            if time.monotonic() > deadline:
                raise TimeoutError("the other processes never got ready")
            time.sleep(0.01)


def _open(url: str, data_dir: str) -> Any:
    """This process's settings and store: the shared database, the shared keys folder."""
    from core import i18n
    from core.config import Settings, set_settings
    from core.store import set_store
    from core.store_postgres import PostgresStore

    set_settings(Settings(data_dir=Path(data_dir), database_url=url))
    i18n.set_locale("vi")
    store = PostgresStore(url, max_size=20)
    set_store(store)
    return store


def _wait(barrier: Barrier) -> None:
    """Every process ready (imports done, database open), then all go at once."""
    barrier.wait()


def declare(url: str, data_dir: str, first: int, n: int, threads: int, barrier: Barrier) -> list:
    """``n`` declarations of distinct people from ``threads`` threads: their pass token ids."""
    from apps.health_declaration import service
    from tests.apps.health_declaration.conftest import form

    store = _open(url, data_dir)

    def one(i: int) -> str:
        k = first + i
        answers = form(person_id=f"048185{k:06d}", phone=f"0905{k:06d}")
        return service.submit_declaration(None, answers).token_id

    _wait(barrier)
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(one, range(n)))
    finally:
        store.close()


def decide(url: str, data_dir: str, request_id: str, approve: bool, barrier: Barrier) -> str:
    """An approver's decision on a permit request: ``won`` or the refusal's class name."""
    from apps.travel_permit import service
    from apps.travel_permit.service import Decision
    from core.testkit import make_principal

    store = _open(url, data_dir)
    who = make_principal("duyet_a" if approve else "duyet_b", "approver")
    decision = Decision.approve_all() if approve else Decision.reject_all("quota", "Quá hạn mức")
    _wait(barrier)
    try:
        service.decide(who, request_id, decision)
        return "won"
    except Exception as exc:  # noqa: BLE001 - the refusal's kind is the result
        return type(exc).__name__
    finally:
        store.close()


def ask_permits(url: str, data_dir: str, username: str, cccds: list, barrier: Barrier) -> str:
    """A business's request for ``cccds``: ``ok`` or the refusal's text."""
    from apps.travel_permit import service
    from core import accounts
    from tests.apps.travel_permit.conftest import request_answers

    store = _open(url, data_dir)
    principal = accounts.principal_for(accounts.get_user(username))
    answers = request_answers(cccds)
    _wait(barrier)
    try:
        service.submit_request(principal, answers)
        return "ok"
    except Exception as exc:  # noqa: BLE001 - the refusal is the result
        return f"{type(exc).__name__}: {exc}"
    finally:
        store.close()


def refresh_missed(url: str, data_dir: str, barrier: Barrier) -> int:
    """The officers' board refresh that opens 'missed report' alerts: how many it opened."""
    from apps.home_isolation import service

    store = _open(url, data_dir)
    _wait(barrier)
    try:
        return service.refresh_missed()
    finally:
        store.close()


def main(argv: list[str]) -> int:
    """``python -m tests.multiprocess.workers '{"call": name, "args": [...], "barrier": {...}}'``"""
    task = json.loads(argv[0])
    target = globals()[task["call"]]
    result = target(*task["args"], Barrier(**task["barrier"]))
    print(RESULT + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
