"""The plain-HTML renderer of a form, for citizens' phones.

Server-rendered and complete without JavaScript: every question has a ``<label>`` tied to its
input, the values typed stay after a refused submission, and each error is written right after
its field (``aria-describedby``). Skip logic works on submit: a question whose condition holds
only after this submission is shown with "a new question appeared" instead of being left
empty (``Form.validate(..., shown=...)``, fed by the ``_shown`` field). A free-text answer
longer than its field allows (a paste) is cut to the limit and flagged beside the field, the
kept part shown, never emptied or refused whole (``CutText``). With script on
(``core/web/assets/forms.js``), conditions are evaluated as the person types — from the same
expressions, sent as their JSON syntax tree in ``data-`` attributes — and the wards follow the
chosen province.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from markupsafe import Markup, escape

from core.forms.choices import Choice
from core.forms.errors import FORM, FieldError
from core.forms.model import Field, Form, Group
from core.forms.text import CutText
from core.forms.types import ParseState
from core.i18n import t_in
from core.web.http import CSRF_FIELD, SHOWN_FIELD, WebRequest

CHECKBOX_MAX = 12
"""A multiple choice with at most this many options is a list of check boxes, else a
``<select multiple>`` (the phone's own picker)."""
RADIO_MAX = 4
FRESH_CACHE_SIZE = 256
"""How many renderings of a fresh form (no answers typed, no errors) are kept: a citizen's
first visit costs a dictionary look-up instead of formatting every province and ward option."""


def read(
    form: Form, request: WebRequest, only: Sequence[str] | None = None
) -> tuple[dict[str, Any], set[str]]:
    """The raw answers of a posted form, by field name, and the fields the person saw."""
    raw: dict[str, Any] = {}
    names = [f.name for f in form.input_fields if only is None or f.name in only]
    for name in names:
        f = form.by_name[name]
        widget = f.kind.widget
        if widget == "select_multiple":
            raw[name] = [v for v in request.values(name) if v]
        elif widget == "acknowledge":
            raw[name] = request.value(name) == "yes"
        elif widget == "yes_no":
            value = request.value(name)
            raw[name] = {"yes": True, "no": False}.get(value)
        else:
            raw[name] = _cut(f, request.value(name))
    shown = {n for n in request.value(SHOWN_FIELD).split(",") if n in form.by_name}
    return raw, shown


def max_chars(f: Field) -> int | None:
    """How many characters a free-text answer may have (what the field's parser allows); None
    for the other fields (codes, numbers, dates: their parser judges a long value)."""
    if f.base_type == "text":
        default = 2000 if "multiline" in f.appearance else 500
    elif f.base_type == "person_name":
        default = 100
    else:
        return None
    return int(f.parameters.get("max_length", default) or default)


def _cut(f: Field, value: str) -> str:
    """A free-text answer longer than its field allows (a paste), cut to the limit and marked
    (``CutText``): the page shows the kept part and says it was cut, beside the field."""
    limit = max_chars(f)
    if limit is None or len(value) <= limit:
        return value
    text = value.strip() if "multiline" in f.appearance else " ".join(value.split())
    if len(text) <= limit:  # only spaces made it long; the parser tidies them
        return value
    return CutText(text[:limit].rstrip(), limit, len(text))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        from core import clock

        shown = clock.local(value)
        return shown.strftime("%Y-%m-%dT%H:%M") if shown else ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _chosen(value: Any) -> set[str]:
    if value is None or value == "":
        return set()
    if isinstance(value, list | tuple | set | frozenset):
        return {str(v) for v in value}
    return {str(value)}


@cache
def _relevance_json(form: Form, name: str) -> str:
    step = next(s for s in form._steps if s.field.name == name)
    return json.dumps(
        [expr.to_json() for expr in step.relevant], ensure_ascii=False, separators=(",", ":")
    )


def _attrs(**attrs: Any) -> Markup:
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(
            Markup(" {}").format(name) if value is True else Markup(' {}="{}"').format(name, value)
        )
    return Markup("").join(parts)


def _options(form: Form, f: Field, state: ParseState) -> list[Choice]:
    return form.options(f.name, state)


def _field_html(
    form: Form,
    f: Field,
    value: Any,
    error: FieldError | None,
    state: ParseState,
    locale: str,
    visible: bool,
) -> Markup:
    fid = f"f-{f.name}"
    err_id = f"e-{f.name}"
    label = f.label.get(locale) or f.name
    hint = f.hint.get(locale)
    required = f.required is True
    widget = f.kind.widget
    described = (
        " ".join(x for x in (f"h-{f.name}" if hint else "", err_id if error else "") if x) or None
    )
    common = {
        "aria_describedby": described,
        "aria_invalid": "true" if error else None,
    }
    mark = Markup(' <span class="req" aria-hidden="true">*</span>') if required else Markup("")
    hint_html = (
        Markup('<p class="hint" id="h-{}">{}</p>').format(f.name, hint) if hint else Markup("")
    )
    error_html = (
        Markup('<p class="err" id="{}" role="alert">{}</p>').format(err_id, error.message)
        if error
        else Markup("")
    )
    rel = _relevance_json(form, f.name)
    wrap = _attrs(
        class_="q" + (" bad" if error else ""),
        id=f"q-{f.name}",
        data_field=f.name,
        data_rel=None if rel == "[]" else rel,
        hidden=not visible,
    )
    if widget == "note":
        return Markup("<div{}><p>{}</p></div>").format(wrap, label)
    if widget in ("select_one", "yes_no") or (widget == "select_multiple"):
        if widget == "yes_no":
            options = [(v, t_in(locale, f"forms.{v}")) for v in ("yes", "no")]
        else:
            options = [(str(c.name), c.text(locale)) for c in _options(form, f, state)]
        chosen = _chosen(_text(value) if widget == "yes_no" and isinstance(value, bool) else value)
        flt = form.choice_filter(f.name)
        depends = sorted(flt.expression.references) if flt is not None else []
        many = widget == "select_multiple"
        if (many and len(options) <= CHECKBOX_MAX) or (
            not many and len(options) <= RADIO_MAX and not depends
        ):
            kind = "checkbox" if many else "radio"
            items = Markup("").join(
                Markup(
                    '<label class="opt"><input type="{}" name="{}" value="{}"{}> {}</label>'
                ).format(
                    kind, f.name, code, _attrs(checked=code in chosen, disabled=not visible), text
                )
                for code, text in options
            )
            return Markup("<fieldset{}><legend>{}{}</legend>{}{}{}</fieldset>").format(
                wrap, label, mark, hint_html, items, error_html
            )
        opts = Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(
                code, _attrs(selected=code in chosen), text
            )
            for code, text in options
        )
        empty = (
            Markup("")
            if many
            else Markup('<option value="">{}</option>').format(t_in(locale, "forms.choose"))
        )
        select = Markup('<select id="{}" name="{}"{}{}>{}{}</select>').format(
            fid,
            f.name,
            _attrs(
                multiple=many,
                size=6 if many else None,
                required=required,
                disabled=not visible,
                data_list=f.list_name,
                data_depends=",".join(depends) or None,
                **common,
            ),
            Markup(""),
            empty,
            opts,
        )
        return Markup('<div{}><label for="{}">{}{}</label>{}{}{}</div>').format(
            wrap, fid, label, mark, hint_html, select, error_html
        )
    if widget == "acknowledge":
        box = Markup('<input type="checkbox" id="{}" name="{}" value="yes"{}>').format(
            fid,
            f.name,
            _attrs(checked=value is True, required=required, disabled=not visible, **common),
        )
        return Markup('<div{}><label class="opt" for="{}">{} {}{}</label>{}{}</div>').format(
            wrap, fid, box, label, mark, hint_html, error_html
        )
    text = _text(value)
    # Twice the limit: a longer paste reaches the server, which cuts it and says so (a browser
    # would cut it silently at ``maxlength``).
    limit = max_chars(f) or 100
    if widget == "text" and "multiline" in f.appearance:
        control = Markup('<textarea id="{}" name="{}" rows="4"{}>{}</textarea>').format(
            fid,
            f.name,
            _attrs(maxlength=2 * limit, required=required, disabled=not visible, **common),
            text,
        )
    else:
        kind, mode, auto = "text", f.kind.input_mode, None
        if widget == "date":
            kind = "date"
        elif widget == "datetime":
            kind = "datetime-local"
        elif widget == "time":
            kind = "time"
        elif widget == "password":
            kind = "password"
        elif f.base_type == "phone":
            kind, auto = "tel", "tel"
        elif f.base_type == "person_name":
            auto = "name"
        control = Markup('<input type="{}" id="{}" name="{}" value="{}"{}>').format(
            kind,
            fid,
            f.name,
            text,
            _attrs(
                inputmode=mode if kind == "text" and mode != "text" else None,
                autocomplete=auto,
                maxlength=2 * limit if kind in ("text", "tel") else None,
                required=required,
                disabled=not visible,
                **common,
            ),
        )
    return Markup('<div{}><label for="{}">{}{}</label>{}{}{}</div>').format(
        wrap, fid, label, mark, hint_html, control, error_html
    )


def render(
    form: Form,
    request: WebRequest,
    *,
    action: str,
    submit_label: str,
    values: Mapping[str, Any] | None = None,
    errors: Mapping[str, FieldError] | None = None,
    only: Sequence[str] | None = None,
    hidden: Mapping[str, str] | None = None,
) -> Markup:
    """The ``<form>``: every question (of ``only``, when given) with its value and error, the
    form token, the list of questions shown, and ``hidden`` fields (e.g. a link's token)."""
    locale = request.locale
    errors = errors or {}
    answers = dict(form.defaults()) if values is None else dict(values)
    fresh = values is None and not errors
    key = (id(form), locale, repr(sorted(answers.items())), None if only is None else tuple(only))
    cached = _fresh_get(key, form) if fresh else None
    if cached is not None:
        body, shown_text = cached
    else:
        body, shown_text = _questions(form, locale, answers, errors, only)
        if fresh:
            _fresh_put(key, form, (body, shown_text))
    top = errors.get(FORM)
    banner = (
        Markup('<p class="err banner" role="alert">{}</p>').format(top.message)
        if top
        else (
            Markup('<p class="err banner" role="alert">{}</p>').format(t_in(locale, "forms.fix"))
            if errors
            else Markup("")
        )
    )
    extra = Markup("").join(
        Markup('<input type="hidden" name="{}" value="{}">').format(k, v)
        for k, v in (hidden or {}).items()
    )
    return Markup(
        '<form method="post" action="{}" class="rapid-form" novalidate data-form="{}">{}'
        '<input type="hidden" name="{}" value="{}"><input type="hidden" name="{}" value="{}">{}'
        '{}<p><button type="submit">{}</button></p></form>'
    ).format(
        action,
        form.id,
        banner,
        CSRF_FIELD,
        request.form_token(),
        SHOWN_FIELD,
        shown_text,
        extra,
        body,
        submit_label,
    )


_fresh_lock = threading.Lock()
_fresh: OrderedDict[tuple, tuple[Form, tuple[Markup, str]]] = OrderedDict()


def _fresh_get(key: tuple, form: Form) -> tuple[Markup, str] | None:
    with _fresh_lock:
        found = _fresh.get(key)
        if found is None or found[0] is not form:  # an id reused by a newer form
            return None
        _fresh.move_to_end(key)
        return found[1]


def _fresh_put(key: tuple, form: Form, rendered: tuple[Markup, str]) -> None:
    with _fresh_lock:
        _fresh[key] = (form, rendered)
        while len(_fresh) > FRESH_CACHE_SIZE:
            _fresh.popitem(last=False)


def _questions(
    form: Form,
    locale: str,
    answers: dict[str, Any],
    errors: Mapping[str, FieldError],
    only: Sequence[str] | None,
) -> tuple[Markup, str]:
    """Every question's HTML, and the names of those shown (comma-separated)."""
    state = form.parse_partial(answers)
    relevant = form.relevant({}, state=state)
    wanted = set(only) if only is not None else None
    parts: list[Markup] = []
    shown: list[str] = []

    def draw(items: Iterable[Field | Group], visible: bool) -> None:
        for item in items:
            if isinstance(item, Group):
                inner_visible = visible and item.name in relevant
                fields = [x for x in Form._walk(item.items) if wanted is None or x.name in wanted]
                if not fields:
                    continue
                parts.append(
                    Markup('<fieldset class="group" id="g-{}"{}><legend>{}</legend>').format(
                        item.name, _attrs(hidden=not inner_visible), item.label.get(locale)
                    )
                )
                draw(item.items, inner_visible)
                parts.append(Markup("</fieldset>"))
                continue
            if wanted is not None and item.name not in wanted:
                continue
            if item.kind.widget in ("calculate", "table", "file"):
                continue
            on = visible and item.name in relevant
            if on and item.kind.has_value:
                shown.append(item.name)
            parts.append(
                _field_html(
                    form, item, answers.get(item.name), errors.get(item.name), state, locale, on
                )
            )

    draw(form.items, True)
    return Markup("").join(parts), ",".join(shown)


REPLAYED = "web.form_replayed"


def token_problem(request: WebRequest, *, in_action: bool = False) -> FieldError | None:
    """The form-level error of a POST whose form token is missing, forged, expired or used.

    On a page marked ``spends_token_in_action`` the token is used here, unless ``in_action``:
    then only its signature and age are checked, and the action uses it inside its own
    transaction through ``token_spender(request)``."""
    from core.web import security

    check = request.token_check
    if check is None:
        return None
    if not check.ok:
        expired = check.problem in ("expired", "missing")
        return FieldError("web.form_expired" if expired else REPLAYED)
    if request.pending_nonce and not in_action:
        nonce, request.pending_nonce = request.pending_nonce, ""
        if not security.use_nonce(nonce):
            return FieldError(REPLAYED)
    return None


def token_spender(request: WebRequest) -> Callable[[], None] | None:
    """For an action that runs it first inside its own transaction: uses this POST's form
    token there, raising ``FormInvalid`` (the form-level "already sent") when it was used.
    None when the page's token was already used before it ran (nothing left to do). An action
    refused before its transaction leaves the token to the end of the request (used then); one
    rolled back after it leaves the token unused, so the same form can be sent again."""
    from core.forms.errors import FormInvalid
    from core.web import security

    nonce = request.pending_nonce
    if not nonce:
        return None

    def spend() -> None:
        request.pending_nonce = ""
        try:
            security.spend_nonce_in_transaction(nonce)
        except security.NonceUsed:
            raise FormInvalid({FORM: FieldError(REPLAYED)}) from None

    return spend


def escape_text(value: Any) -> Markup:
    return escape(value)
