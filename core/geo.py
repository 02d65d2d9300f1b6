"""Vietnam's administrative units from the maintained ``vietnam-provinces`` package.

Since July 2025 Vietnam has two levels below the state: 34 provinces/cities and their wards or
communes; districts were abolished. The suite uses the current units, so "district" filters in
the apps are province and ward filters.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from vietnam_provinces import Province, ProvinceCode, Ward

DA_NANG = 48


@dataclass(frozen=True)
class Unit:
    code: int
    name: str


@cache
def provinces() -> tuple[Unit, ...]:
    return tuple(
        sorted((Unit(int(p.code), p.name) for p in Province.iter_all()), key=lambda u: u.name)
    )


@cache
def wards(province_code: int) -> tuple[Unit, ...]:
    """Wards and communes of one province, by name."""
    try:
        code = ProvinceCode(province_code)
    except ValueError:
        return ()
    return tuple(
        sorted(
            (Unit(int(w.code), w.name) for w in Ward.iter_by_province(code)), key=lambda u: u.name
        )
    )


@cache
def _ward_index() -> dict[int, tuple[str, int]]:
    return {int(w.code): (w.name, int(w.province_code)) for w in Ward.iter_all()}


def ward_name(code: int) -> str:
    found = _ward_index().get(int(code))
    return found[0] if found else str(code)


def ward_province(code: int) -> int | None:
    found = _ward_index().get(int(code))
    return found[1] if found else None


def is_ward(code: int, province_code: int | None = None) -> bool:
    found = _ward_index().get(int(code))
    return found is not None and (province_code is None or found[1] == province_code)


@cache
def province_name(code: int) -> str:
    return next((p.name for p in provinces() if p.code == int(code)), str(code))
