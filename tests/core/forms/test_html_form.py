"""The plain-HTML renderer: labels tied to inputs, errors beside fields with values kept, skip
logic without script, escaping, and any posted form read safely."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from core.forms import Field, Form, FormInvalid, choice_list
from core.forms.html_form import read, render
from core.web.http import WebRequest

SYMPTOMS = choice_list("symptoms", [("fever", "Sốt", "Fever"), ("cough", "Ho", "Cough")])
FORM = Form(
    "hf",
    ("Thử", "Test"),
    [
        Field("name", "person_name", ("Họ tên", "Name"), required=True),
        Field("symptoms", "select_multiple symptoms", ("Triệu chứng", "Symptoms")),
        Field(
            "fever_date",
            "date",
            ("Ngày sốt", "Fever since"),
            required=True,
            relevant="selected(${symptoms}, 'fever')",
        ),
        Field("ok", "acknowledge", ("Cam kết", "I confirm"), required=True),
        Field("province", "select_one provinces", ("Tỉnh", "Province"), default=48),
        Field(
            "ward", "select_one wards", ("Phường", "Ward"), choice_filter="province = ${province}"
        ),
    ],
    choices=[SYMPTOMS],
)


def request(form: dict | None = None, locale: str = "vi") -> WebRequest:
    return WebRequest(
        method="POST" if form is not None else "GET",
        path="/x",
        query={},
        form={k: v if isinstance(v, list) else [v] for k, v in (form or {}).items()},
        cookies={},
        client="127.0.0.1",
        locale=locale,
        https=False,
        sid="sid",
    )


def test_labels_errors_values_and_hidden_questions(settings):
    html = str(render(FORM, request(), action="/x", submit_label="Gửi"))
    assert '<label for="f-name">Họ tên' in html
    assert re.search(r'id="q-fever_date"[^>]*hidden', html)  # no fever yet: hidden, disabled
    assert 'name="_shown" value="name,symptoms,ok,province,ward"' in html
    raw, shown = read(
        FORM, request({"name": "<b>An</b>", "symptoms": ["fever"], "_shown": "name,symptoms,ok"})
    )
    try:
        FORM.validate(raw, shown=shown)
    except FormInvalid as exc:
        errors = exc.errors
    html = str(render(FORM, request(), action="/x", submit_label="Gửi", values=raw, errors=errors))
    assert "&lt;b&gt;An&lt;/b&gt;" in html and "<b>An</b>" not in html
    assert 'aria-invalid="true"' in html and 'id="e-name"' in html
    assert "Câu hỏi mới" in html  # the fever date appeared with this submission
    assert not re.search(r'id="q-fever_date"[^>]*hidden', html)


def test_read_each_widget(settings):
    raw, shown = read(
        FORM,
        request(
            {
                "name": "An Bình",
                "symptoms": ["fever", "cough"],
                "ok": "yes",
                "province": "48",
                "_shown": "name,zzz",
            }
        ),
    )
    assert raw["symptoms"] == ["fever", "cough"] and raw["ok"] is True and raw["province"] == "48"
    assert shown == {"name"}


def test_english(settings):
    html = str(render(FORM, request(locale="en"), action="/x", submit_label="Send"))
    assert '<label for="f-name">Name' in html and "Fever since" in html


NOW = datetime(2021, 9, 10, tzinfo=UTC)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["name", "symptoms", "fever_date", "ok", "province", "ward", "_shown", "x"]
        ),
        st.lists(st.text(max_size=40), max_size=3),
    )
)
def test_any_posted_form_reads_validates_and_renders(posted):
    raw, shown = read(FORM, request(posted))
    try:
        FORM.validate(raw, shown=shown, now=NOW)
        errors = {}
    except FormInvalid as exc:
        errors = exc.errors
    html = str(render(FORM, request(), action="/x", submit_label="Gửi", values=raw, errors=errors))
    assert html.startswith("<form") and "<script" not in html


def test_a_fresh_form_is_drawn_once_and_keeps_its_own_token(settings, monkeypatch):
    """A citizen's first visit reuses the questions drawn for the last visitor (the province
    and ward lists are the cost), but each gets their own form token and hidden fields; a
    form with answers or errors is always drawn afresh."""
    from core.forms import html_form

    calls = []
    real = html_form._questions
    monkeypatch.setattr(html_form, "_questions", lambda *a: calls.append(a) or real(*a))
    html_form._fresh.clear()
    tokens = iter(["tok-1", "tok-2", "tok-3", "tok-4"])
    monkeypatch.setattr(WebRequest, "form_token", lambda self: next(tokens))
    first = str(render(FORM, request(), action="/x", submit_label="Gửi", hidden={"v": "a"}))
    second = str(render(FORM, request(), action="/x", submit_label="Gửi", hidden={"v": "b"}))
    assert len(calls) == 1
    assert 'value="tok-1"' in first and 'value="tok-2"' in second and "tok-1" not in second
    assert 'name="v" value="b"' in second
    assert first.replace("tok-1", "T").replace('"a"', '"X"') == second.replace(
        "tok-2", "T"
    ).replace('"b"', '"X"')
    english = str(render(FORM, request(locale="en"), action="/x", submit_label="Send"))
    assert len(calls) == 2 and "Name" in english
    filled = str(render(FORM, request(), action="/x", submit_label="Gửi", values={"name": "An"}))
    assert len(calls) == 3 and 'value="An"' in filled


def test_an_over_long_paste_is_cut_to_the_limit_and_flagged_not_emptied(settings):
    from core.forms.html_form import max_chars

    notes = Form(
        "cut",
        ("Thử", "Test"),
        [
            Field("name", "person_name", ("Họ tên", "Name"), required=True),
            Field("note", "text", ("Ghi chú", "Note"), appearance="multiline"),
            Field("code", "text", ("Mã", "Code"), parameters={"max_length": 10}),
        ],
    )
    assert [max_chars(f) for f in notes.input_fields] == [100, 2000, 10]
    line = "dòng một\n" * 300  # 2,700 characters, line breaks kept in a multi-line answer
    raw, _ = read(notes, request({"name": "Lê " * 60, "note": line, "code": "ABCDEFGHIJKLMN"}))
    assert raw["code"] == "ABCDEFGHIJ" and len(raw["note"]) == 2000 and len(raw["name"]) <= 100
    try:
        notes.validate(raw)
    except FormInvalid as exc:
        errors = exc.errors
    assert {k: (e.key, e.params["max"]) for k, e in errors.items()} == {
        "name": ("forms.err.cut", 100),
        "note": ("forms.err.cut", 2000),
        "code": ("forms.err.cut", 10),
    }
    assert errors["code"].params["length"] == 14
    html = str(render(notes, request(), action="/x", submit_label="Gửi", values=raw, errors=errors))
    assert 'value="ABCDEFGHIJ"' in html and 'maxlength="20"' in html  # kept, beside its error
    assert re.search(r'id="f-code"[^>]*>\s*<p class="err" id="e-code"', html)
    fixed, _ = read(notes, request({"name": "Lê Văn An", "note": "ngắn", "code": "ABCDEFGHIJ"}))
    assert notes.validate(fixed)["code"] == "ABCDEFGHIJ"  # sent again as shown: accepted
