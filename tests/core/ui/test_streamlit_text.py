"""Streamlit's own words in the chosen language (core.ui.streamlit_text): each rule turns
Streamlit's English (or the Vietnamese left from before a switch) into the page's language,
values kept, nothing else touched; the page script carries the rules as data."""

from __future__ import annotations

import json
import re

import pytest

from core.ui import streamlit_text


def _apply(locale: str, text: str) -> str:
    """What the page script does with one text (Python's ``re`` reads these rules as JS)."""
    for pattern, target in streamlit_text.rules(locale):
        if re.search(pattern, text):
            return re.sub(pattern, target.replace("$1", r"\1"), text)
    return text


@pytest.mark.parametrize(
    ("english", "vietnamese"),
    [
        ("Choose options", "Chọn một hoặc nhiều mục"),
        ("Select all", "Chọn tất cả"),
        ("Press Enter to submit form", "Nhấn Enter để gửi"),
        ("Upload", "Chọn tệp"),
        ("20MB per file", "Tối đa 20MB mỗi tệp"),
        ("200 MB per file", "Tối đa 200 MB mỗi tệp"),
        ("Select 12 matches", "Chọn 12 mục khớp"),
        ("Take Photo", "Chụp ảnh"),
        ("Choose date", "Chọn ngày"),
        ("Show password", "Hiện ký tự đã gõ"),
        ("November", "Tháng 11"),
        ("November 2026", "tháng 11 năm 2026"),
        ("May 2027", "tháng 5 năm 2027"),
        ("Choose date, November 2026", "Chọn ngày, tháng 11 năm 2026"),
    ],
)
def test_both_ways(english, vietnamese):
    assert _apply("vi", english) == vietnamese
    assert _apply("en", vietnamese) == english


@pytest.mark.parametrize(
    "text",
    ["Choose options now", "Upload a file", "per file", "Tháng 13", "Novembers", "Giờ", ""],
)
def test_other_texts_are_left_alone(text):
    assert _apply("vi", text) == text
    assert _apply("en", text) == text


def test_the_page_language_is_never_rewritten():
    for locale in ("vi", "en"):
        for _, target in streamlit_text.pairs(locale):
            assert _apply(locale, target.replace("{value}", "7")) == target.replace("{value}", "7")


def test_the_script_carries_the_rules_as_json():
    page = streamlit_text.script("vi")
    start = page.index("const rules = ") + len("const rules = ")
    data = json.loads(page[start : page.index(".map(", start)].replace("<\\/", "</"))
    assert [tuple(r) for r in data] == streamlit_text.rules("vi")
    assert page.count("</script>") == 1 and page.count("<script") == 1


def test_the_calendar_title_mixes_streamlits_english_and_the_browsers_month():
    # a Vietnamese browser, the page in English: React Aria names the month in Vietnamese
    assert _apply("en", "Choose date, tháng 11 năm 2026") == "Choose date, November 2026"
    assert _apply("vi", "Choose date, November 2026") == "Chọn ngày, tháng 11 năm 2026"
