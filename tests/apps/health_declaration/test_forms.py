"""The health declaration's forms: what they accept and refuse, the cross-checks between
questions, and hypothesis over whole forms (field types themselves: tests/core/forms)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apps.health_declaration.forms import AREA, DECLARATION, LOOKUP, VENUE
from core.forms import FormInvalid
from core.forms.storage import check_table
from tests.apps.health_declaration.conftest import WARD, form

NOW = datetime(2021, 9, 10, 1, 0, 0, 123457, tzinfo=UTC)


def errors(raw: dict, f=DECLARATION) -> dict[str, str]:
    try:
        f.validate(raw, now=NOW)
    except FormInvalid as exc:
        return {name: err.key for name, err in exc.errors.items()}
    return {}


def test_a_good_declaration():
    values = DECLARATION.validate(form(symptoms=["fever"], visited_countries=["KR"]), now=NOW)
    assert values["phone"] == "0905123456" and values["person_id"] == "048185000123"
    assert values["symptoms"] == ["fever"] and values["vaccine_doses"] == 2


@pytest.mark.parametrize(
    "over, field, key",
    [
        ({"full_name": "Nguyen2"}, "full_name", "forms.err.name_chars"),
        ({"phone": "0123456789"}, "phone", "forms.err.phone"),
        ({"person_id": "048185000"}, "person_id", "forms.err.constraint"),  # CCCD chosen
        ({"person_id": "003185000123"}, "person_id", "forms.err.cccd_province"),
        ({"birth_year": "1986"}, "birth_year", "forms.err.constraint"),  # CCCD says 1985
        ({"ward_code": 1}, "ward_code", "forms.err.choice"),
        ({"committed": False}, "committed", "forms.err.required"),
        ({"vaccine_doses": 7}, "vaccine_doses", "forms.err.too_large"),
        ({"sex": "X"}, "sex", "forms.err.choice"),
    ],
)
def test_refusals_name_their_field(over, field, key):
    assert errors(form(**over)) == {field: key}


def test_unified_identifier_rules():
    assert errors(form(phone="0236 3821 234")) == {}  # a Da Nang landline, as in every app
    assert errors(form(id_kind="passport", person_id="123456789")) == {}  # digits-only passport
    assert errors(form(phone="+1 202 555 0143", nationality="US")) == {}  # a foreign visitor


def test_a_ward_of_another_province_is_refused():
    from core import geo

    hanoi = geo.wards(1)[0].code
    assert errors(form(ward_code=hanoi)) == {"ward_code": "forms.err.choice_filtered"}
    assert errors(form(province_code=1, ward_code=hanoi)) == {}


def test_small_forms():
    assert errors({"phone": "0905123456", "person_id": "048185000123"}, LOOKUP) == {}
    assert errors({"phone": "x", "person_id": ""}, LOOKUP) == {
        "phone": "forms.err.phone",
        "person_id": "forms.err.required",
    }
    venue = {
        "name": "Chợ Cồn",
        "kind": "market",
        "province_code": 48,
        "ward_code": WARD,
        "street": "290 Hùng Vương",
        "contact_phone": "0236 3821 234",
    }
    assert errors(venue, VENUE) == {}
    assert errors({**venue, "kind": "casino"}, VENUE) == {"kind": "forms.err.choice"}
    area = {"province_code": 79, "starts_on": "01/09/2021", "ends_on": "31/08/2021"}
    assert errors(area, AREA) == {"ends_on": "forms.err.constraint"}
    assert errors({**area, "ends_on": ""}, AREA) == {}


def test_every_stored_form_fits_its_table(hd):
    for f in (DECLARATION, VENUE, AREA):
        assert check_table(hd, f) == [], f.id


FIELDS = [f.name for f in DECLARATION.fields]
ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=300),
    st.lists(st.one_of(st.text(max_size=20), st.integers()), max_size=5),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(FIELDS), ANYTHING))
def test_a_whole_declaration_form_never_crashes(raw):
    """Whatever a form (or a crafted request) sends: a declaration, or a message per field."""
    try:
        DECLARATION.validate(raw, now=NOW)
    except FormInvalid as exc:
        assert set(exc.errors) <= set(FIELDS)
        assert all(err.message for err in exc.errors.values())


def test_one_question_reaches_page_validation_storage_export_and_template(web_client, hd, officer):
    """A question added to the declaration (``workplace``: one Field plus one migration adding
    its column) is asked on the page, validated, stored, exported and in the upload template."""
    from datetime import date

    from apps.health_declaration import analytics, service
    from core.forms.table import template_csv
    from core.testkit import run_page

    label = DECLARATION.field("workplace").label.vi
    assert f'<label for="f-workplace">{label}</label>' in web_client.get("/khai-bao").text
    at = run_page("health_declaration.declare_for", officer)  # officers declaring for someone
    assert label in [w.label for w in at.text_input]
    with pytest.raises(FormInvalid) as bad:
        service.submit_declaration(None, form(workplace="x" * 501))
    assert set(bad.value.errors) == {"workplace"}
    service.submit_declaration(None, form(workplace="Cảng Tiên Sa", symptoms=["fever"]))
    assert hd.scalar("SELECT workplace FROM hd_declarations") == "Cảng Tiên Sa"
    today = hd.scalar("SELECT CAST(declared_at AS DATE) FROM hd_declarations")
    exported = analytics.export_risk(
        officer, analytics.Filters(date(2021, 1, 1), today), purpose="kiểm tra cột xuất"
    )
    import csv
    import io

    head, first = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))[:2]
    assert first[head.index(label)] == "Cảng Tiên Sa"  # the CSV a person opens: labels
    assert "workplace" not in head
    assert label in template_csv(DECLARATION).decode("utf-8-sig").splitlines()[0]
