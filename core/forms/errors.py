"""The one way a form reports bad input: an error per field, in the reader's language.

``FieldError`` is raised by a field type's parser (or by a service for a rule only it can check,
such as "this user name is taken"); ``FormInvalid`` carries one ``FieldError`` per field name.
Messages are looked up when shown, so the same error reads in Vietnamese or English.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

FORM = ""
"""The pseudo field name of an error about the whole form (shown above it)."""


class FieldError(ValueError):
    """A bad value in one field: a message key with its arguments, or a text given by the form
    definition (a constraint's own message, ``(vi, en)``)."""

    def __init__(self, key: str, /, *, text: tuple[str, str] | None = None, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.text = text

    @property
    def message(self) -> str:
        """The message in the current language."""
        from core.i18n import get_locale, t

        if self.text is not None:
            vi, en = self.text
            return (en or vi) if get_locale() == "en" else (vi or en)
        return t(self.key, **self.params)

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"FieldError({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldError) and (self.key, self.params, self.text) == (
            other.key,
            other.params,
            other.text,
        )

    def __hash__(self) -> int:
        return hash((self.key, self.text))


class FormInvalid(ValueError):
    """A form with errors: ``errors`` maps a field name (``FORM`` for the whole form) to its
    ``FieldError``. Nothing was written."""

    def __init__(self, errors: Mapping[str, FieldError]) -> None:
        self.errors: dict[str, FieldError] = dict(errors)
        super().__init__("; ".join(f"{k or 'form'}: {v.key}" for k, v in self.errors.items()))

    @classmethod
    def one(cls, field: str, key: str, /, **params: Any) -> FormInvalid:
        """An error in one field: ``raise FormInvalid.one("username", "accounts.exists")``."""
        return cls({field: FieldError(key, **params)})

    def messages(self) -> dict[str, str]:
        """Field name -> message in the current language."""
        return {name: err.message for name, err in self.errors.items()}

    def __str__(self) -> str:
        return "; ".join(
            f"{name}: {err.message}" if name else err.message for name, err in self.errors.items()
        )


@dataclass(frozen=True)
class RowError:
    """A problem in one row of a table upload (``row`` is the spreadsheet row, header = 1)."""

    row: int
    field: str
    label: str
    message: str
