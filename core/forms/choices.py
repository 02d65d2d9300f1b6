"""Choice lists: the ``choices`` sheet of a form, and the lists core provides to every form.

Built-in lists (a form names them without defining them):

- ``provinces``: the 34 provinces and cities (code, name), from ``vietnam-provinces``;
- ``wards``: every ward and commune (code, name), each with the ``province`` it belongs to, so
  ``choice_filter`` ``province = ${province_code}`` keeps those of the chosen province;
- ``countries``: ISO 3166 alpha-2 codes with their Vietnamese and English names (Babel/CLDR).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from core.forms.text import Text, as_text

BUILTIN_LISTS = ("provinces", "wards", "countries")
_UNIT_PREFIXES = ("phường ", "xã ", "đặc khu ", "thị trấn ")


@dataclass(frozen=True)
class Choice:
    """One choice: its stored ``name`` (a code), its label in both languages, and any other
    columns of the choices sheet (used by ``choice_filter``)."""

    name: str | int
    label: Text
    attrs: Mapping[str, Any] = field(default_factory=dict)

    def text(self, locale: str) -> str:
        return self.label.get(locale)


@dataclass(frozen=True)
class ChoiceList:
    """A named list of choices. ``integer`` lists store their codes as numbers; its lookup
    tables are built once per list, on first use."""

    name: str
    choices: tuple[Choice, ...]

    @functools.cached_property
    def integer(self) -> bool:
        return bool(self.choices) and all(isinstance(c.name, int) for c in self.choices)

    @property
    def names(self) -> tuple[str | int, ...]:
        return tuple(c.name for c in self.choices)

    def get(self, name: object) -> Choice | None:
        return self.index().get(name)

    def index(self) -> dict[object, Choice]:
        """name -> choice (the name as stored, and as text)."""
        return self._index

    def lookup(self) -> dict[str, tuple[Choice, ...]]:
        """Every way a person may write a choice in a spreadsheet, folded -> the choices so
        written (ward names repeat across provinces): name, labels in both languages, and a
        ward's name without 'Phường'/'Xã'."""
        return self._lookup

    @cached_property
    def _index(self) -> dict[object, Choice]:
        out: dict[object, Choice] = {}
        for c in self.choices:
            out[c.name] = c
            out[str(c.name)] = c
        return out

    @cached_property
    def _lookup(self) -> dict[str, tuple[Choice, ...]]:
        out: dict[str, list[Choice]] = {}
        for c in self.choices:
            ways = {fold(str(c.name)), fold(c.label.vi), fold(c.label.en)}
            vi = c.label.vi.casefold()
            ways |= {fold(vi[len(p) :]) for p in _UNIT_PREFIXES if vi.startswith(p)}
            for way in ways:
                out.setdefault(way, []).append(c)
        return {k: tuple(v) for k, v in out.items()}


def choice_list(name: str, items: Iterable[tuple[Any, ...] | Choice]) -> ChoiceList:
    """``choice_list("sex", [("M", "Nam", "Male"), ("F", "Nữ", "Female")])`` for Python forms."""
    out: list[Choice] = []
    for item in items:
        if isinstance(item, Choice):
            out.append(item)
            continue
        code, vi, *rest = item
        en = rest[0] if rest else vi
        attrs = rest[1] if len(rest) > 1 else {}
        out.append(Choice(code, as_text((vi, en)), attrs))
    return ChoiceList(name, tuple(out))


def fold(text: object) -> str:
    """Case-, space- and diacritic-insensitive form for matching headers and labels."""
    raw = unicodedata.normalize("NFD", str(text)).replace("đ", "d").replace("Đ", "D")
    bare = "".join(ch for ch in raw if not unicodedata.combining(ch))
    return " ".join(bare.replace("_", " ").casefold().split())


# -- built-in lists -------------------------------------------------------------------------------


@cache
def builtin(name: str) -> ChoiceList | None:
    """One of ``BUILTIN_LISTS``, built on first use; None for any other name."""
    if name == "provinces":
        from core import geo

        return ChoiceList(
            name, tuple(Choice(u.code, Text(u.name, u.name)) for u in geo.provinces())
        )
    if name == "wards":
        from core import geo

        items = [
            Choice(w.code, Text(w.name, w.name), {"province": p.code})
            for p in geo.provinces()
            for w in geo.wards(p.code)
        ]
        return ChoiceList(name, tuple(items))
    if name == "countries":
        return ChoiceList(name, _countries())
    return None


def _countries() -> tuple[Choice, ...]:
    from babel import Locale

    vi, en = Locale("vi").territories, Locale("en").territories
    codes = sorted(c for c in en if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)
    head = [c for c in ("VN",) if c in codes]
    rest = sorted((c for c in codes if c != "VN"), key=lambda c: fold(vi.get(c, en[c])))
    return tuple(Choice(c, Text(vi.get(c, en[c]), en[c])) for c in head + rest)


_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"})
