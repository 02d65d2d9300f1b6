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


def rapid(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env.update(RAPID_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(ROOT))
    return subprocess.run(
        [RAPID, *map(str, args)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        input=stdin,
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
                "--password-stdin", stdin="DaNangXanh2021\n")  # fmt: skip
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


def test_the_starting_workbook_works_once_added(
    store, install_app, web_client, admin, frozen_clock
):
    """``rapid apps new``'s workbook, added unchanged: a citizen sends its public form, the ward
    official approves, the code is VALID at a checkpoint of that ward on a weekday and INVALID
    with the declared reason in another ward."""
    import re

    from checkpoints import service as cp
    from core.definitions import service, starter
    from core.testkit import form_token_of, make_principal
    from tests.core.definitions.conftest import AN_HAI, HAI_CHAU

    app_id = "phat_khau_trang"
    install_app(starter.starter("Phát khẩu trang"))
    page = web_client.get(f"/a/{app_id}")
    assert page.status_code == 200 and "Phát khẩu trang" in page.text
    answers = {
        "full_name": "Lê Văn Tám", "phone": "0905 111 222", "province": "48",
        "ward": str(AN_HAI), "reason": "work", "people": "3", "consent": "yes",
        "_shown": "full_name,phone,province,ward,reason,people,consent",
        "_csrf": form_token_of(page.text),
    }  # fmt: skip
    sent = web_client.post(f"/a/{app_id}", data=answers)
    assert sent.status_code == 200, sent.text[:3000]
    ref = re.search(r"<strong>([A-Z0-9]{10})</strong>", sent.text)[1]
    (sub_id,) = store.fetchall(f"SELECT _id FROM app_{app_id}")[0]  # noqa: S608
    service.decide(make_principal("cb", f"can_bo@ward:{AN_HAI}"), app_id, sub_id, "approve", {})
    code = service.status(None, app_id, ref)["token_text"]
    assert code and code.startswith("PKT1:")
    for cid, ward in (("an-hai", AN_HAI), ("hai-chau", HAI_CHAU)):
        cp.add_checkpoint(admin, cid, cid, str(ward), None, None, store=store)
    gate = make_principal("gate", "checkpoint")
    # FROZEN_AT is a Friday
    (here,) = cp.scan_texts(gate, [code], checkpoint_id="an-hai")
    assert here.verdict.verdict == "VALID", here.verdict
    (there,) = cp.scan_texts(gate, [code], checkpoint_id="hai-chau")
    assert (there.verdict.verdict, there.verdict.reason) == ("INVALID", "WRONG_WARD")
