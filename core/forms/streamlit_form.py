"""The Streamlit renderer of a form, for staff pages.

``render_form`` draws every question of a ``Form`` with its label, hint and, after a refused
submission, its error right below it; values stay as typed after an error. A form whose
questions depend on other answers (``relevant``, ``choice_filter``) is drawn as a fragment so
a question appears, disappears (and is cleared) or narrows its choices as soon as the answer it
depends on changes; other forms are drawn in ``st.form`` so nothing reruns until "send".

``table_upload`` is the table-upload flow of a form: template downloads, the uploader, the
per-row problems with an error file, and a button that imports the good rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any, TypeVar

import streamlit as st

from core.forms.errors import FORM, FieldError, FormInvalid
from core.forms.model import Field, Form, Group
from core.forms.types import ParseState
from core.i18n import get_locale, t

T = TypeVar("T")

RADIO_MAX = 4
"""A single choice with at most this many options is drawn as radio buttons."""
CHECKBOX_MAX = 12
"""A multiple choice with ``appearance: checkboxes`` (or at most this many options, unless
``appearance: minimal``) is drawn as a column of check boxes."""


def widget_key(form_key: str, name: str) -> str:
    return f"{form_key}:{name}"


def _errors_key(form_key: str) -> str:
    return f"{form_key}::errors"


def _result_key(form_key: str) -> str:
    return f"{form_key}::result"


def _clear_key(form_key: str) -> str:
    return f"{form_key}::clear"


def _shown_key(form_key: str) -> str:
    return f"{form_key}::shown"


def set_errors(form_key: str, errors: Mapping[str, FieldError]) -> None:
    st.session_state[_errors_key(form_key)] = dict(errors)


def clear(form: Form, form_key: str) -> None:
    """Forget what was typed (on the next run, before the widgets are drawn)."""
    st.session_state[_clear_key(form_key)] = True


def _show_error(errors: Mapping[str, FieldError], name: str) -> None:
    err = errors.get(name)
    if err is not None:
        st.error(err.message, icon=":material/error:")


# -- reading the widgets back ---------------------------------------------------------------------


def raw_values(form: Form, form_key: str, names: Sequence[str]) -> dict[str, Any]:
    """The answers as the widgets hold them, by field name."""
    out: dict[str, Any] = {}
    state = st.session_state
    for name in names:
        f = form.by_name[name]
        value = state.get(widget_key(form_key, name))
        if f.kind.widget == "select_multiple" and _as_checkboxes(form, f):
            chosen = form.choice_list(f)
            value = [
                c.name
                for c in (chosen.choices if chosen else ())
                if state.get(_box_key(form_key, name, c.name))
            ]
        elif f.kind.widget == "datetime":
            day = state.get(widget_key(form_key, name) + ":date")
            at = state.get(widget_key(form_key, name) + ":time")
            value = (
                datetime.combine(day, at)
                if isinstance(day, date) and isinstance(at, time)
                else None
            )
        elif f.kind.widget == "time" and isinstance(value, time):
            value = value.hour * 60 + value.minute
        elif f.kind.widget == "yes_no" and value is not None:
            value = value == "yes"
        out[name] = value
    return out


def _box_key(form_key: str, name: str, choice: object) -> str:
    return f"{widget_key(form_key, name)}:{choice}"


def _as_checkboxes(form: Form, f: Field) -> bool:
    """A multiple choice drawn as a column of check boxes (``appearance: checkboxes``)."""
    return "checkboxes" in f.appearance


# -- drawing ---------------------------------------------------------------------------------------


def _label(f: Field, locale: str) -> str:
    text = f.label.get(locale) or f.name
    return f"{text} *" if f.required is True else text


def _hint(f: Field, locale: str) -> str | None:
    return f.hint.get(locale) or None


def _seed(form: Form, form_key: str, initial: Mapping[str, Any]) -> None:
    """Put starting values into the widgets' state once (defaults, or a record being edited)."""
    marker = f"{form_key}::seeded"
    if st.session_state.get(marker):
        return
    values = {**form.defaults(), **initial}
    for f in form.input_fields:
        if f.name not in values or values[f.name] is None:
            continue
        value = values[f.name]
        key = widget_key(form_key, f.name)
        widget = f.kind.widget
        if widget == "select_multiple" and _as_checkboxes(form, f):
            for choice in value or ():
                st.session_state[_box_key(form_key, f.name, choice)] = True
        elif widget == "datetime" and isinstance(value, datetime):
            from core import clock

            shown = clock.local(value)
            st.session_state[key + ":date"] = shown.date()  # type: ignore[union-attr]
            st.session_state[key + ":time"] = shown.time().replace(second=0, microsecond=0)  # type: ignore[union-attr]
        elif widget == "time" and isinstance(value, int):
            st.session_state[key] = time(min(value // 60, 23), value % 60 if value < 1440 else 59)
        elif widget == "yes_no":
            st.session_state[key] = "yes" if value else "no"
        elif widget in ("text", "number"):
            st.session_state[key] = str(value)
        else:
            st.session_state[key] = value
    st.session_state[marker] = True


def _forget(form: Form, form_key: str, names: Sequence[str]) -> None:
    prefix = widget_key(form_key, "")
    for key in [k for k in st.session_state.keys() if isinstance(k, str) and k.startswith(prefix)]:
        name = key[len(prefix) :].split(":", 1)[0]
        if name in names:
            del st.session_state[key]


def _blank(form: Form, form_key: str) -> None:
    """Set every widget to its empty value. Forgetting a widget's state is not enough in a
    browser: the page keeps showing (and sends back) what was typed until the server sets a
    value explicitly (a live form, drawn in a fragment, kept its answers after "send")."""
    state = st.session_state
    for f in form.input_fields:
        key = widget_key(form_key, f.name)
        widget = f.kind.widget
        if widget in ("text", "number", "password"):
            state[key] = ""
        elif widget in ("select_one", "date", "time", "yes_no"):
            state[key] = None
        elif widget == "select_multiple" and _as_checkboxes(form, f):
            chosen = form.choice_list(f)
            for c in chosen.choices if chosen else ():
                state[_box_key(form_key, f.name, c.name)] = False
        elif widget == "select_multiple":
            state[key] = []
        elif widget == "datetime":
            state[key + ":date"] = None
            state[key + ":time"] = None
        elif widget == "acknowledge":
            state[key] = False


def _widget(
    form: Form, form_key: str, f: Field, state: ParseState, locale: str, disabled: bool
) -> None:
    key = widget_key(form_key, f.name)
    label, hint = _label(f, locale), _hint(f, locale)
    widget = f.kind.widget
    if widget == "note":
        st.markdown(f.label.get(locale))
        return
    _draw_widget(form, form_key, f, state, locale, disabled, key, label, hint, widget)


def _draw_widget(
    form: Form,
    form_key: str,
    f: Field,
    state: ParseState,
    locale: str,
    disabled: bool,
    key: str,
    label: str,
    hint: str | None,
    widget: str,
) -> None:
    if widget == "text":
        if "multiline" in f.appearance:
            limit = int(f.parameters.get("max_length", 2000))
            st.text_area(label, key=key, max_chars=min(2 * limit, 8000), disabled=disabled)
        else:
            limit = int(f.parameters.get("max_length", 500 if f.base_type == "text" else 100))
            st.text_input(label, key=key, max_chars=min(2 * limit, 4000), disabled=disabled)
    elif widget == "password":
        st.text_input(label, key=key, type="password", max_chars=128, disabled=disabled)
    elif widget == "number":
        st.text_input(label, key=key, max_chars=24, disabled=disabled)
    elif widget == "date":
        st.date_input(
            label,
            value=None,
            key=key,
            format="DD/MM/YYYY",
            disabled=disabled,
            **_date_bounds(f),
        )
    elif widget == "datetime":
        left, right = st.columns(2)
        left.date_input(
            label, value=None, key=key + ":date", format="DD/MM/YYYY", disabled=disabled
        )
        right.time_input(
            t("forms.time_of_day"), value=None, key=key + ":time", step=300, disabled=disabled
        )
    elif widget == "time":
        st.time_input(label, value=None, key=key, step=1800, disabled=disabled)
    elif widget == "select_one":
        options = form.options(f.name, state)
        names = [c.name for c in options]
        texts = {c.name: c.text(locale) for c in options}
        current = st.session_state.get(key)
        if current is not None and current not in texts:
            del st.session_state[key]
        if (
            len(options) <= RADIO_MAX and "minimal" not in f.appearance
        ) or "horizontal" in f.appearance:
            st.radio(
                label,
                names,
                **_unset(key),
                key=key,
                horizontal=True,
                format_func=texts.__getitem__,
                disabled=disabled,
            )
        else:
            st.selectbox(
                label,
                names,
                **_unset(key),
                key=key,
                placeholder=t("forms.choose"),
                format_func=texts.__getitem__,
                disabled=disabled,
            )
    elif widget == "select_multiple":
        options = form.options(f.name, state)
        texts = {c.name: c.text(locale) for c in options}
        if _as_checkboxes(form, f):
            st.markdown(f"**{label}**")
            if hint:
                st.caption(hint)
            for c in options:
                st.checkbox(
                    texts[c.name], key=_box_key(form_key, f.name, c.name), disabled=disabled
                )
        else:
            current = st.session_state.get(key)
            if isinstance(current, list) and any(v not in texts for v in current):
                st.session_state[key] = [v for v in current if v in texts]
            st.multiselect(
                label,
                list(texts),
                key=key,
                format_func=texts.__getitem__,
                placeholder=t("forms.choose"),
                disabled=disabled,
            )
    elif widget == "yes_no":
        st.radio(
            label,
            ["yes", "no"],
            **_unset(key),
            key=key,
            horizontal=True,
            format_func=lambda v: t(f"forms.{v}"),
            disabled=disabled,
        )
    elif widget == "acknowledge":
        st.checkbox(label, key=key, disabled=disabled)
    elif widget == "file":
        accept = [a.strip() for a in str(f.parameters.get("accept", "")).split(",") if a.strip()]
        st.file_uploader(label, type=accept or None, key=key, disabled=disabled)


def _unset(key: str) -> dict[str, Any]:
    """``index=None`` (nothing chosen) unless the session already holds the widget's value."""
    return {} if key in st.session_state else {"index": None}


def _date_bounds(f: Field) -> dict[str, Any]:
    from core.forms.types import parse_date_text

    out: dict[str, Any] = {}
    for param, arg in (("min", "min_value"), ("max", "max_value")):
        value = f.parameters.get(param)
        if value is not None:
            out[arg] = value if isinstance(value, date) else parse_date_text(str(value))
    if "min_value" not in out:
        out["min_value"] = date(1900, 1, 1)
    return out


def _draw_items(
    form: Form,
    form_key: str,
    items: Sequence[Field | Group],
    shown: set[str],
    state: ParseState,
    errors: Mapping[str, FieldError],
    locale: str,
    wanted: set[str] | None,
    disabled: set[str],
) -> list[str]:
    drawn: list[str] = []
    for item in items:
        if isinstance(item, Group):
            if item.name not in shown:
                continue
            inner = [x for x in Form._walk(item.items) if wanted is None or x.name in wanted]
            if not inner:
                continue
            if item.label:
                st.markdown(f"**{item.label.get(locale)}**")
            drawn += _draw_items(
                form, form_key, item.items, shown, state, errors, locale, wanted, disabled
            )
            continue
        if item.name not in shown or (wanted is not None and item.name not in wanted):
            continue
        if item.kind.widget in ("calculate", "table"):
            continue
        _widget(form, form_key, item, state, locale, item.name in disabled)
        _show_error(errors, item.name)
        hint = _hint(item, locale)
        if hint and not (item.kind.widget == "select_multiple" and _as_checkboxes(form, item)):
            st.caption(hint)  # under the field and its error, not a "?" tooltip
        if item.kind.has_value:
            drawn.append(item.name)
    return drawn


def render_form(
    form: Form,
    *,
    key: str,
    submit_label: str,
    on_submit: Callable[[dict[str, Any]], T],
    initial: Mapping[str, Any] | None = None,
    only: Sequence[str] | None = None,
    fixed: Mapping[str, Any] | None = None,
    disabled: Sequence[str] = (),
    clear_on_success: bool = True,
    success_message: str | Callable[[T], str] | None = None,
    catch: tuple[type[Exception], ...] = (),
) -> T | None:
    """Draw the form and handle "send".

    ``on_submit(raw)`` gets every answer by field name (plus ``fixed`` values not shown) and
    returns a result, or raises ``FormInvalid`` (its errors are shown beside their fields) or
    one of ``catch`` (shown above the button). After a success the form is cleared (unless
    ``clear_on_success`` is False), ``success_message`` is shown above it, and the result is
    returned on that next run only. ``only`` draws a subset of the questions, in form order.
    """
    state = st.session_state
    if state.pop(_clear_key(key), False):
        _forget(form, key, [f.name for f in form.fields])
        _blank(form, key)
        state.pop(f"{key}::seeded", None)
        state.pop(_errors_key(key), None)
    _seed(form, key, initial or {})
    done = state.pop(_result_key(key), None)
    result = None
    if done is not None:
        result, message = done
        if message:
            st.success(message, icon=":material/check_circle:")

    def body() -> None:
        _draw(
            form,
            key,
            submit_label,
            on_submit,
            only,
            fixed or {},
            set(disabled),
            clear_on_success,
            success_message,
            catch,
        )

    if form.has_dependencies:
        st.fragment(body, key=f"{key}::fragment")()
    else:
        body()
    return result


def _draw(
    form: Form,
    key: str,
    submit_label: str,
    on_submit: Callable[[dict[str, Any]], Any],
    only: Sequence[str] | None,
    fixed: Mapping[str, Any],
    disabled: set[str],
    clear_on_success: bool,
    success_message: Any,
    catch: tuple[type[Exception], ...],
) -> None:
    locale = get_locale()
    errors: dict[str, FieldError] = st.session_state.get(_errors_key(key), {})
    wanted = set(only) if only is not None else None
    names = [f.name for f in form.input_fields]
    raw = {**raw_values(form, key, names), **fixed}
    state = form.parse_partial(raw)
    shown = form.relevant({}, state=state)
    hidden = [n for n in names if n not in shown and n not in fixed]
    _forget(form, key, hidden)
    live = form.has_dependencies
    container = st.container() if live else st.form(key, border=False, enter_to_submit=False)
    with container:
        if FORM in errors:
            st.error(errors[FORM].message, icon=":material/error:")
        elif errors:
            st.error(t("forms.fix"), icon=":material/error:")
        drawn = _draw_items(form, key, form.items, shown, state, errors, locale, wanted, disabled)
        if live:
            sent = st.button(submit_label, type="primary", key=f"{key}::send")
        else:
            sent = st.form_submit_button(submit_label, type="primary")
    if not sent:
        return
    answers = {**raw_values(form, key, names), **fixed}
    seen = set(drawn) | set(fixed)
    if wanted is not None:
        seen |= {n for n in names if n not in wanted}
    try:
        form.validate(answers, shown=seen)
        result = on_submit(answers)
    except FormInvalid as exc:
        set_errors(key, exc.errors)
        st.rerun()
    except catch as exc:
        set_errors(key, {FORM: FieldError("forms.err.constraint", text=(str(exc), str(exc)))})
        st.rerun()
    message = success_message(result) if callable(success_message) else success_message
    st.session_state[_result_key(key)] = (result, message)
    st.session_state.pop(_errors_key(key), None)
    if clear_on_success:
        st.session_state[_clear_key(key)] = True
    st.rerun()


# -- table uploads ------------------------------------------------------------------------------------


def table_upload(
    form: Form,
    *,
    key: str,
    on_import: Callable[[Any], str],
    max_rows: int,
    max_mb: int,
    unique: Sequence[str] = (),
    example: Mapping[str, Any] | None = None,
    list_filter: Mapping[str, Any] | None = None,
    file_stem: str = "mau",
    catch: tuple[type[Exception], ...] = (),
) -> None:
    """Bulk entry from a spreadsheet: the templates generated from the form, the uploader, the
    problems row by row (with an error file to fix and upload again), and a button importing
    the good rows through ``on_import(result)``, which returns the message to show (or raises
    ``FormInvalid`` or one of ``catch``: shown as the error, nothing cleared)."""
    from core.forms.table import parse_upload, template_csv, template_xlsx
    from core.forms.table_file import TableFileError
    from core.ui.downloads import on_click

    locale = get_locale()
    state = st.session_state
    done = state.pop(f"{key}::imported", None)
    if done:
        st.success(done, icon=":material/check_circle:")
    left, right = st.columns(2)
    left.download_button(
        t("forms.upload.template_xlsx"),
        on_click(template_xlsx, form, example, locale, list_filter=list_filter),
        f"{file_stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}::xlsx",
        icon=":material/download:",
    )
    right.download_button(
        t("forms.upload.template_csv"),
        on_click(template_csv, form, example, locale),
        f"{file_stem}.csv",
        "text/csv",
        key=f"{key}::csv",
        icon=":material/download:",
    )
    st.caption(t("forms.upload.limits", rows=f"{max_rows:,}".replace(",", "."), mb=max_mb))
    generation = state.get(f"{key}::generation", 0)
    upload = st.file_uploader(
        t("forms.upload.choose"), type=["csv", "xlsx", "txt"], key=f"{key}::file:{generation}"
    )
    if upload is None:
        return
    cache_key = (upload.file_id, locale)
    cached = state.get(f"{key}::parsed")
    if cached is not None and cached[0] == cache_key:
        result = cached[1]
    else:
        try:
            result = parse_upload(
                form,
                upload.name,
                upload.getvalue(),
                max_rows=max_rows,
                max_bytes=max_mb * 1_000_000,
                unique=unique,
            )
        except TableFileError as exc:
            st.error(exc.message, icon=":material/error:")
            return
        state[f"{key}::parsed"] = (cache_key, result)
    good, bad = len(result.good), len({e.row for e in result.errors})
    st.info(t("forms.upload.summary", good=good, bad=bad, total=result.total_rows))
    if result.ignored_columns:
        st.caption(t("forms.upload.ignored", cols=", ".join(result.ignored_columns)))
    if result.errors:
        st.dataframe(result.error_frame(), hide_index=True, width="stretch")
        st.download_button(
            t("forms.upload.errors_csv"),
            on_click(result.error_csv),
            f"{file_stem}-loi.csv",
            "text/csv",
            key=f"{key}::errors",
            icon=":material/download:",
        )
        st.caption(t("forms.upload.fix_file"))
    if good and st.button(t("forms.upload.import", n=good), type="primary", key=f"{key}::import"):
        try:
            message = on_import(result)
        except FormInvalid as exc:
            st.error(str(exc), icon=":material/error:")
            return
        except catch as exc:
            st.error(str(exc), icon=":material/error:")
            return
        state.pop(f"{key}::parsed", None)
        state[f"{key}::generation"] = generation + 1
        state[f"{key}::imported"] = message
        st.rerun()
