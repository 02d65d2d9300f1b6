"""Texts a form definition carries in both languages (labels, hints, messages)."""

from __future__ import annotations

from typing import NamedTuple


class Text(NamedTuple):
    """A text in Vietnamese and English; either may be empty (the other is shown then)."""

    vi: str
    en: str = ""

    def get(self, locale: str) -> str:
        if locale == "en":
            return self.en or self.vi
        return self.vi or self.en

    def __bool__(self) -> bool:
        return bool(self.vi or self.en)


EMPTY = Text("", "")


def as_text(value: object) -> Text:
    """``"Họ tên"``, ``("Họ tên", "Name")`` or a ``Text`` -> ``Text``; None -> empty."""
    if value is None:
        return EMPTY
    if isinstance(value, Text):
        return value
    if isinstance(value, str):
        return Text(value, "")
    if isinstance(value, tuple | list) and 1 <= len(value) <= 2:
        vi = value[0]
        en = value[1] if len(value) == 2 else ""
        return Text(str(vi or ""), str(en or ""))
    raise TypeError(f"a text is a string or a (vi, en) pair, not {type(value).__name__}")


class CutText(str):
    """An answer that arrived longer than its field allows, cut to ``limit`` characters by the
    renderer that read it (``core.forms.html_form.read``): validation reports it beside the
    field (``forms.err.cut``) with the cut text kept, instead of refusing or emptying it."""

    limit: int
    length: int

    def __new__(cls, text: str, limit: int, length: int) -> CutText:
        self = super().__new__(cls, text)
        self.limit = limit
        self.length = length
        return self
