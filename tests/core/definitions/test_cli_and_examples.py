"""``rapid apps check|add|new|deactivate`` as an operator runs them, and the shipped example
workbooks (each exactly its readable source in examples/build.py, each <= 150 lines)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

from openpyxl import load_workbook

from tests.core.definitions.conftest import EXAMPLES, RELIEF, ROOT, sheets_of, workbook

RAPID = str(Path(sys.executable).parent / "rapid")


def rapid(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env.update(RAPID_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [RAPID, *map(str, args)], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=180
    )


def test_new_check_add_deactivate(tmp_path):
    out = rapid(tmp_path, "apps", "new", "Phát khẩu trang")
    assert out.returncode == 0, out.stderr
    book = tmp_path / "phat_khau_trang.xlsx"
    assert book.is_file()
    out = rapid(tmp_path, "apps", "check", book)
    assert out.returncode == 0, out.stderr
    assert "OK — app phat_khau_trang" in out.stdout and "lines" in out.stdout
    out = rapid(tmp_path, "apps", "add", book)
    assert out.returncode == 0, out.stderr
    assert "phat_khau_trang version 1: active" in out.stdout
    listed = json.loads(rapid(tmp_path, "apps", "--json").stdout)
    assert "phat_khau_trang" in [a["id"] for a in listed]
    roles = rapid(tmp_path, "roles").stdout
    assert "can_bo" in roles
    out = rapid(tmp_path, "users", "add", "lan", "--name", "Lan", "--role", "can_bo@ward:20275",
                "--password", "DaNangXanh2021")  # fmt: skip
    assert out.returncode == 0, out.stderr
    out = rapid(tmp_path, "apps", "deactivate", "phat_khau_trang")
    assert out.returncode == 0 and "deactivated" in out.stdout
    audit = rapid(tmp_path, "audit", "--json", "--search", "phat_khau_trang").stdout
    actions = {r["action"] for r in json.loads(audit)}
    assert {"definition.install", "definition.deactivate"} <= actions


def test_check_prints_each_problem_with_its_place_and_fails(tmp_path):
    sheets = sheets_of(RELIEF)
    sheets["survey"][1][0] = "person_nam"
    sheets["app"][7][1] = "head, cccd, memebrs, point"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(workbook(sheets))
    out = rapid(tmp_path, "apps", "check", bad)
    assert out.returncode == 1
    assert "bad.xlsx: survey, row 2, column 'type': unknown type 'person_nam'" in out.stderr
    assert "bad.xlsx: app, row 8, column 'value': 'memebrs' names no field" in out.stderr
    doc = json.loads(rapid(tmp_path, "apps", "check", "--json", bad).stdout)
    assert (
        not doc["ok"]
        and {"sheet": "survey", "row": 2, "column": "type"}.items() <= doc["problems"][0].items()
    )
    out = rapid(tmp_path, "apps", "add", bad)
    assert out.returncode == 1 and "nothing installed" in out.stderr


def test_shipped_examples_are_their_source_and_small():
    for name, sheets in EXAMPLES.EXAMPLES.items():
        book = load_workbook(BytesIO((ROOT / "examples" / name).read_bytes()), read_only=True)
        assert list(book.sheetnames) == list(sheets), name
        lines = 0
        for title, rows in sheets.items():
            shipped = [
                [v for v in row if v is not None]
                for row in book[title].iter_rows(values_only=True)
                if any(v is not None for v in row)
            ]
            expected = [[v for v in row if v not in (None, "")] for row in rows]
            assert shipped == expected, (name, title)
            lines += len(rows) - 1
        assert lines <= 150, (name, lines)
