"""`rapid qr decode` command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from checkpoints.decode_cli import decode

PHOTOS = Path(__file__).resolve().parents[1] / "data" / "qr-photos"


def test_json_lines_and_error_exit(tmp_path) -> None:
    good = PHOTOS / "set1" / "1.png"
    expected = (PHOTOS / "set1" / "1.txt").read_bytes().decode()
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"garbage")
    blank = tmp_path / "blank.png"
    import cv2
    import numpy as np

    cv2.imwrite(str(blank), np.full((50, 50), 255, np.uint8))
    result = CliRunner().invoke(decode, [str(bad), str(good), str(blank), "--json"])
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert lines[0]["file"] == str(bad) and "error" in lines[0]
    assert lines[1]["file"] == str(good) and lines[1]["texts"] == [expected]
    assert isinstance(lines[1]["ms"], float)
    assert lines[2]["texts"] == []
    assert "bad.png" in result.stderr


def test_readable_output_and_success_exit() -> None:
    good = PHOTOS / "set3" / "01.png"
    result = CliRunner().invoke(decode, [str(good)])
    assert result.exit_code == 0, result.output
    assert str(good) in result.stdout


def test_command_name() -> None:
    assert decode.name == "decode"
