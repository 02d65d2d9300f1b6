"""Definition apps in tests: workbooks made from the examples' rows (changed where a test
needs a broken one), installed into the test's store; the process registry is rebuilt from
the entry points after each test, so no definition app leaks into other tests."""

from __future__ import annotations

import copy
import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
AN_HAI, HAI_CHAU = 20275, 20242  # two wards of Da Nang


def _examples() -> Any:
    spec = importlib.util.spec_from_file_location(
        "rapid_examples_build", ROOT / "examples/build.py"
    )
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


EXAMPLES = _examples()
MARKET, VACCINATION, RELIEF = "phieu_di_cho", "tiem_chung", "ho_tro_cuu_tro"
SHEETS = {
    MARKET: EXAMPLES.MARKET_VOUCHERS,
    VACCINATION: EXAMPLES.VACCINATION,
    RELIEF: EXAMPLES.RELIEF_AID,
}


def sheets_of(app_id: str) -> dict[str, list[list[Any]]]:
    """A deep copy of an example's rows, to change."""
    return copy.deepcopy(SHEETS[app_id])


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    from core.definitions.starter import write

    return write(sheets)


def example(app_id: str) -> bytes:
    return workbook(SHEETS[app_id])


@pytest.fixture(autouse=True)
def _fresh_registry() -> Iterator[None]:
    from core import i18n
    from core.definitions import install
    from core.registry import set_registry

    install.forget()
    set_registry(None)
    yield
    install.forget()
    set_registry(None)
    i18n.reset_catalog()


@pytest.fixture()
def install_app(store, admin) -> Callable[[str], Any]:
    """Install (and activate) an example or workbook bytes in the test's store."""
    from core.definitions import install

    def run(what: str | bytes, **kw: Any) -> Any:
        data = example(what) if isinstance(what, str) else what
        return install.install(admin, data, store=store, **kw)

    return run


def market_answers(i: int = 1, ward: int = HAI_CHAU, **over: Any) -> dict[str, Any]:
    return {
        "head": "Trần Thị Bích Ngọc",
        "household_no": 100 + i,
        "members": 3,
        "phone": "0905 123 456",
        "province": 48,
        "ward": ward,
        "address": "12 Hùng Vương",
        "market": "cho-con",
        **over,
    }


def vaccination_answers(i: int = 1, **over: Any) -> dict[str, Any]:
    from core import clock
    from core.forms.identity import compose_cccd

    return {
        "full_name": "Lê Thị Hồng Nhung",
        "cccd": compose_cccd(48, 1960, "F", 100 + i),
        "birth_year": 1960,
        "phone": "0935 123 456",
        "priority": "elderly",
        "province": 48,
        "ward": AN_HAI,
        "site": "vx-hai-chau",
        "day": clock.today_local(),
        "consent": True,
        **over,
    }


def relief_answers(i: int = 1, ward: int = AN_HAI, **over: Any) -> dict[str, Any]:
    from core.forms.identity import compose_cccd

    return {
        "head": "Nguyễn Văn Hùng",
        "cccd": compose_cccd(48, 1975, "M", 200 + i),
        "phone": "0905 999 888",
        "members": 4,
        "province": 48,
        "ward": ward,
        "address": "40 Ngô Quyền",
        "needs": ["rice", "water"],
        "point": "cuu-tro-an-hai",
        **over,
    }
