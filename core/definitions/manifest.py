"""A checked ``Definition`` -> the ``App`` manifest the registry serves, built in memory.

Pages and panels are small callables bound to the app id (the Streamlit code is imported
when a page is first drawn); the token type carries a claims model made from the declared
claims and the checkpoint rule compiled from the rules sheet; every text comes from the
workbook (both languages; one fills in for the other when an author wrote only one).
"""

from __future__ import annotations

from typing import Any

from core.definitions.workbook import MODULE, OK_REASON, ONCE_UNCHECKED, Definition
from core.forms.text import Text
from core.registry import App, Page, Panel, Role, TokenType

PAGES = (
    # name, icon
    ("submit", ":material/edit_note:"),
    ("review", ":material/inbox:"),
    ("list", ":material/table_view:"),
    ("upload", ":material/upload_file:"),
    ("codes", ":material/qr_code_2:"),
)
PAGE_TITLES: dict[str, tuple[str, str]] = {
    "review": ("Duyệt hồ sơ", "Review"),
    "list": ("Danh sách, xuất tệp", "List and export"),
    "upload": ("Nhập từ tệp bảng tính", "Bulk entry from a spreadsheet"),
    "codes": ("Mã QR: in thẻ, thu hồi", "QR codes: print, revoke"),
}
PANEL_TITLES = {
    "per_day": ("Số hồ sơ theo ngày", "Submissions per day"),
    "per_choice": ("Số hồ sơ theo lựa chọn", "Submissions per choice"),
    "per_area": ("Số hồ sơ theo địa bàn", "Submissions per area"),
}


class _Call:
    """A page or panel of a definition app: imports the generic Streamlit code on first draw
    and calls ``function(app_id[, index])``."""

    __slots__ = ("module", "function", "args")

    def __init__(self, module: str, function: str, *args: Any) -> None:
        self.module, self.function, self.args = module, function, args

    def __call__(self) -> None:
        import importlib

        getattr(importlib.import_module(self.module), self.function)(*self.args)

    def __repr__(self) -> str:
        return f"{self.module}:{self.function}{self.args!r}"


def _both(text: Text, fallback: Text | None = None) -> dict[str, str]:
    vi = text.vi or text.en or (fallback.vi if fallback else "")
    en = text.en or text.vi or (fallback.en if fallback else "")
    return {"vi": vi or en, "en": en or vi}


def page_roles(d: Definition) -> dict[str, frozenset[str]]:
    """Who opens each Streamlit page (a page not listed does not exist for this definition).
    A public app's form and look-up are citizens' light pages instead (``web``)."""
    staff = d.viewers | d.reviewers
    entry = d.submitter_roles or d.reviewers
    out: dict[str, frozenset[str]] = {"list": staff | d.submitter_roles}
    if not d.public:
        out["submit"] = d.submitter_roles
    if d.workflow == "review":
        out["review"] = d.reviewers
    if entry:
        out["upload"] = frozenset(entry)
    if d.issue != "none":
        out["codes"] = staff | d.submitter_roles
    return out


def action_roles(d: Definition) -> dict[str, frozenset[str]]:
    """Who may call each service action (the service checks these; deny by default)."""
    staff = d.viewers | d.reviewers
    issuers = d.reviewers if d.issue == "on_approve" else (d.submitter_roles or d.reviewers)
    return {
        "review": d.reviewers,
        "view": frozenset(staff | d.submitter_roles),
        "export": frozenset(staff),
        "entry": frozenset(d.submitter_roles or d.reviewers),
        "cards": frozenset(staff | d.submitter_roles),
        "revoke": frozenset(d.reviewers | issuers),
        "panels": frozenset(staff),
    }


def messages(d: Definition) -> dict[str, dict[str, str]]:
    """The app's own catalog: page, panel and token titles, reason and field labels."""
    out: dict[str, dict[str, str]] = {
        f"{d.app_id}.page.submit": _both(d.form.title),
    }
    for name, (vi, en) in PAGE_TITLES.items():
        out[f"{d.app_id}.page.{name}"] = {"vi": vi, "en": en}
    for i, panel in enumerate(d.panels):
        vi, en = PANEL_TITLES[panel.kind]
        out[f"{d.app_id}.panel.{i}"] = _both(panel.title, Text(vi, en))
    if d.token_prefix:
        key = f"{d.app_id}.token"
        out[key] = _both(d.card_title, d.form.title)
        out[f"{key}.reason.{OK_REASON}"] = {"vi": "Hợp lệ", "en": "Valid"}
        out[f"{key}.reason.{ONCE_UNCHECKED}"] = {
            "vi": "Không kiểm tra được mã đã dùng chưa (chốt ngoại tuyến): hỏi trung tâm",
            "en": "Cannot tell whether the code was used (offline station): ask the centre",
        }
        for rule in d.rules:
            out.setdefault(f"{key}.reason.{rule.reason}", _both(rule.text))
        for name in (*d.claims, "valid_until"):
            label = d.form.by_name[name].label if name in d.form.by_name else None
            out[f"{key}.field.{name}"] = (
                _both(label, Text(name, name))
                if label is not None
                else {"vi": "Hiệu lực đến", "en": "Valid until"}
            )
    return out


def build(d: Definition) -> App:
    """The manifest of a definition app."""
    from core.definitions import token

    pages = []
    roles_of = page_roles(d)
    for name, icon in PAGES:
        if name not in roles_of:
            continue
        pages.append(
            Page(
                f"{d.app_id}.{name}",
                f"{d.app_id}.page.{name}",
                _Call(f"{MODULE}.pages", f"{name}_page", d.app_id),
                roles_of[name],
                icon,
            )
        )
    panel_roles = action_roles(d)["panels"]
    panels = [
        Panel(
            f"{d.app_id}.panel_{i}",
            f"{d.app_id}.panel.{i}",
            _Call(f"{MODULE}.pages", "panel", d.app_id, i),
            panel_roles,
        )
        for i in range(len(d.panels))
    ]
    token_types = []
    if d.token_prefix:
        token_types.append(
            TokenType(
                d.type_id or "",
                d.token_prefix,
                f"{d.app_id}.token",
                token.claims_model(d),
                rule=token.DefinitionRule(d),
                reasons=tuple(
                    dict.fromkeys((OK_REASON, ONCE_UNCHECKED, *(r.reason for r in d.rules)))
                ),
                fields=(*d.claims, "valid_until"),
            )
        )
    return App(
        id=d.app_id,
        title_vi=d.title.vi or d.title.en,
        title_en=d.title.en or d.title.vi,
        roles=[Role(r.id, r.label.vi, r.label.en, r.scope) for r in d.roles],  # type: ignore[arg-type]
        pages=pages,
        panels=panels,
        token_types=token_types,
        messages=messages(d),
        stats=_Stats(d.app_id),
        optional_roles=d.optional_roles,
    )


class _Stats:
    """``rapid stats`` for a definition app."""

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id

    def __call__(self, store: Any) -> dict[str, Any]:
        from core.definitions import service

        return service.stats(store, self.app_id)
