"""The Streamlit renderer: errors beside their fields, values kept, skip logic, clearing."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from core.forms import Field, Form, choice_list

SYMPTOMS = choice_list("symptoms", [("fever", "Sốt", "Fever"), ("cough", "Ho", "Cough")])


def live_form() -> Form:
    return Form(
        "live",
        ("Khai báo", "Declaration"),
        [
            Field("name", "person_name", ("Họ tên", "Name"), required=True),
            Field(
                "symptoms",
                "select_multiple symptoms",
                ("Triệu chứng", "Symptoms"),
                appearance="checkboxes",
            ),
            Field(
                "fever_date",
                "date",
                ("Ngày bắt đầu sốt", "Fever since"),
                required=True,
                relevant="selected(${symptoms}, 'fever')",
            ),
            Field("province", "select_one provinces", ("Tỉnh", "Province"), default=48),
            Field(
                "ward",
                "select_one wards",
                ("Phường", "Ward"),
                choice_filter="province = ${province}",
            ),
        ],
        choices=[SYMPTOMS],
    )


def plain_form() -> Form:
    return Form(
        "plain",
        ("Nhân viên", "Employee"),
        [
            Field("name", "person_name", ("Họ tên", "Name"), required=True),
            Field("phone", "phone", ("Điện thoại", "Phone"), required=True),
            Field("doses", "integer", ("Số mũi", "Doses"), parameters={"min": 0, "max": 6}),
        ],
    )


def _script(which: str) -> None:
    import streamlit as st

    from core.forms.streamlit_form import render_form
    from core.i18n import set_locale
    from tests.core.forms.test_streamlit_form import live_form, plain_form

    set_locale(st.session_state.get("locale", "vi"))
    form = live_form() if which == "live" else plain_form()
    sent = st.session_state.setdefault("sent", [])

    def save(raw: dict) -> str:
        values = form.validate(raw)
        sent.append(values)
        return values["name"]

    render_form(
        form,
        key=which,
        submit_label="Gửi",
        on_submit=save,
        success_message=lambda name: f"Đã lưu {name}",
    )


def _app(which: str, locale: str = "vi") -> AppTest:
    at = AppTest.from_function(_script, args=(which,), default_timeout=30)
    at.session_state["locale"] = locale
    return at.run()


def _labels(at: AppTest) -> set[str]:
    return {
        w.label.rstrip(" *")
        for w in [*at.text_input, *at.date_input, *at.checkbox, *at.selectbox, *at.radio]
    }


def test_plain_form_errors_beside_fields_and_values_kept(settings):
    at = _app("plain")
    assert not at.exception
    at.text_input(key="plain:name").input("Nguyen2")
    at.text_input(key="plain:phone").input("0905 123 456")
    at.text_input(key="plain:doses").input("9")
    at.button[0].click().run()
    errors = [e.value for e in at.error]
    assert any("chữ cái" in e for e in errors)  # the name error
    assert any("lớn hơn 6" in e for e in errors)  # the doses error
    assert at.text_input(key="plain:phone").value == "0905 123 456"  # kept
    assert at.session_state["sent"] == []
    at.text_input(key="plain:name").input("Nguyễn Văn An")
    at.text_input(key="plain:doses").input("2")
    at.button[0].click().run()
    assert not at.error
    assert [s.value for s in at.success] == ["Đã lưu Nguyễn Văn An"]
    assert at.session_state["sent"][0]["phone"] == "0905123456"
    assert at.text_input(key="plain:name").value == ""  # cleared after success


def test_live_form_shows_a_question_when_its_condition_holds(settings):
    at = _app("live")
    assert "Ngày bắt đầu sốt" not in _labels(at)
    at.checkbox(key="live:symptoms:fever").check().run()
    assert "Ngày bắt đầu sốt" in _labels(at)
    at.text_input(key="live:name").input("Trần Thị Bình").run()
    at.button(key="live::send").click().run()
    assert any("Vui lòng điền" in e.value for e in at.error)  # the fever date is required now
    at.checkbox(key="live:symptoms:fever").uncheck().run()
    assert "Ngày bắt đầu sốt" not in _labels(at)
    at.button(key="live::send").click().run()
    assert [s.value for s in at.success] == ["Đã lưu Trần Thị Bình"]
    assert at.session_state["sent"][0]["symptoms"] is None


def test_ward_choices_follow_the_province(settings):
    from core import geo

    at = _app("live")
    ward_names = set(at.selectbox(key="live:ward").options)
    assert ward_names == {w.name for w in geo.wards(geo.DA_NANG)}
    at.selectbox(key="live:province").select(1).run()
    assert set(at.selectbox(key="live:ward").options) == {w.name for w in geo.wards(1)}


def test_english_labels(settings):
    at = _app("plain", "en")
    assert {"Name", "Phone", "Doses"} <= _labels(at)
    at.button[0].click().run()
    assert any("Please fill in" in e.value for e in at.error)
