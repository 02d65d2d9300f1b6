"""Streamlit pages of the F1 follow-up calendar and the transmission chain (issue 17 item 3):
thin, the service computes. A cell per day and F1 with an icon and its word; the chain as a
graph (F0 -> F1, F1 -> the F0 they became) and as a table."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from apps.home_isolation import forms, service
from core import clock, geo
from core.i18n import t
from core.ui.session import current_principal

DAY_ICON = {
    "symptomatic": "🟠",
    "reported": "🟢",
    "called": "📞",
    "missed": "❌",
    "due": "⏳",
    "upcoming": "·",
    "not_enrolled": "–",
    "ended": "■",
}


def _cell(status: Any) -> str:
    """A day's status as the table shows it: icon and word (never the code)."""
    if not isinstance(status, str) or not status:
        return ""
    return f"{DAY_ICON.get(status, '')} {t('hi.cal.s.' + status)}"


def _date(value: Any) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NaT:
        return ""
    return pd.Timestamp(value).strftime("%d/%m")


def calendar_page() -> None:
    """Every F1 isolating now (one ward, or all), most missed days first, one column per day;
    then one F1's calendar day by day."""
    principal = current_principal()
    st.title(t("hi.cal.title"))
    st.caption(t("hi.cal.caption"))
    wards = [w.code for w in geo.wards(forms.PROVINCE)]
    ward = st.selectbox(
        t("hi.cal.ward"),
        [None, *wards],
        format_func=lambda c: t("hi.cal.all_wards") if c is None else geo.ward_name(c),
        key="hc_ward",
    )
    board = service.f1_board(principal, ward_code=ward)
    if board.empty:
        st.info(t("hi.cal.empty"))
        return
    st.caption(t("hi.cal.count", n=len(board), missed=int(board["missed"].sum())))
    with st.expander(t("hi.cal.legend")):
        st.markdown(" · ".join(_cell(s) for s in DAY_ICON))
    days = [c for c in board.columns if c.startswith("d") and c[1:].isdigit()]
    shown = pd.DataFrame(
        {
            forms.ENROL_F1.label("full_name", _locale()): board["full_name"],
            t("hi.cal.ward"): board["ward"],
            t("hi.cal.exposure"): board["exposure_date"].map(_date),
            t("hi.cal.missed"): board["missed"],
            t("hi.cal.reported"): board["reported"],
            **{t("hi.cal.day", n=c[1:]): board[c].map(_cell) for c in days},
        }
    )
    st.dataframe(shown, hide_index=True, width="stretch", key="hc_table")
    pick = st.selectbox(
        t("hi.cal.pick"),
        board["id"].tolist(),
        index=None,
        format_func=lambda i: f"{board.set_index('id').loc[i, 'full_name']} ({i})",
        placeholder=t("hi.cal.pick"),
        key="hc_pick",
    )
    if pick:
        _one_calendar(principal, pick)


def _locale() -> str:
    from core.i18n import get_locale

    return get_locale()


def _one_calendar(principal: Any, enrolment_id: str) -> None:
    """One F1's 14 days as a table of words (a Markdown table: read as text, printable)."""
    cal = service.f1_calendar(principal, enrolment_id)
    head = [
        t("hi.cal.day_no"),
        t("hi.cal.date"),
        t("hi.cal.status"),
        t("hi.cal.reports"),
        t("hi.cal.calls"),
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in cal.itertuples():
        cells = [str(row.day_no), _date(row.day), _cell(row.status), str(row.reports),
                 str(row.attempts)]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(lines))


def chain_page() -> None:
    """The transmission chain around one F0 or F1: a graph and the links as a table."""
    principal = current_principal()
    st.title(t("hi.chain.title"))
    st.caption(t("hi.chain.caption"))
    sources = service.chain_sources(principal)
    chosen = st.query_params.get("e")
    options = sources["id"].tolist()
    if chosen and chosen not in options:
        options.insert(0, chosen)
    if not options:
        st.info(t("hi.chain.empty"))
        return
    names = dict(zip(sources["id"], sources["full_name"], strict=True))
    contacts = dict(zip(sources["id"], sources["contacts"], strict=True))
    pick = st.selectbox(
        t("hi.chain.pick"),
        options,
        index=options.index(chosen) if chosen else 0,
        format_func=lambda i: (
            t("hi.chain.option", name=names[i], n=int(contacts[i]), id=i) if i in names else i
        ),
        key="hch_pick",
    )
    if not pick:
        return
    try:
        chain = service.transmission_chain(principal, pick)
    except service.IsolationError as exc:
        st.error(exc.message)
        return
    st.caption(
        t(
            "hi.chain.count",
            f0=int((chain["kind"] == "F0").sum()),
            f1=int((chain["kind"] == "F1").sum()),
            depth=int(chain["depth"].max()) + 1,
        )
    )
    st.graphviz_chart(_dot(chain))
    label = dict(zip(chain["id"], chain["full_name"], strict=True))
    st.dataframe(
        pd.DataFrame(
            {
                t("hi.chain.depth"): chain["depth"] + 1,
                t("hi.f.kind"): chain["kind"],
                forms.ENROL_F0.label("full_name", _locale()): chain["full_name"],
                t("hi.chain.link"): chain["link"].map(lambda k: t("hi.chain.link." + k)),
                t("hi.chain.parent"): chain["parent_id"].map(lambda p: label.get(p, "")),
                t("hi.cal.status"): chain["status"].map(lambda s: t("hi.status." + s)),
                t("hi.chain.enrolled"): chain["enrolled_at"].map(
                    lambda v: clock.fmt_local(pd.Timestamp(v).to_pydatetime())
                ),
            }
        ),
        hide_index=True,
        width="stretch",
    )


def _dot(chain: pd.DataFrame) -> str:
    """The chain as Graphviz DOT: F0 red boxes, F1 amber ellipses, names quoted safely."""

    def q(text: Any) -> str:
        return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph chain {", "rankdir=LR;", 'node [fontname="sans-serif"];']
    for row in chain.itertuples():
        shape = "box" if row.kind == "F0" else "ellipse"
        colour = "#f8d7da" if row.kind == "F0" else "#fff3cd"
        lines.append(
            f"{q(row.id)} [label={q(f'{row.kind}: {row.full_name}')}, shape={shape},"
            f" style=filled, fillcolor={q(colour)}];"
        )
    for row in chain.itertuples():
        if isinstance(row.parent_id, str) and row.parent_id:
            style = "dashed" if row.link == "became_f0" else "solid"
            lines.append(f"{q(row.parent_id)} -> {q(row.id)} [style={style}];")
    lines.append("}")
    return "\n".join(lines)
