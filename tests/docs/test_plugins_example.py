"""docs/PLUGINS.md's complete small app is real: its files are copied out of the page,
published as a plugin through a real entry point, and its own tests run in a fresh process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.plugins.install import write_dist

ROOT = Path(__file__).resolve().parents[2]
BLOCK = re.compile(r"```(?:python|sql)\n((?:#|--) file: (\S+)\n.*?)```", re.S)


def _files() -> dict[str, str]:
    text = (ROOT / "docs" / "PLUGINS.md").read_text(encoding="utf-8")
    return {path: body for body, path in BLOCK.findall(text)}


def test_the_documented_app_has_every_file():
    assert set(_files()) == {
        "home_test/__init__.py",
        "home_test/forms.py",
        "home_test/migrations/001_init.sql",
        "home_test/service.py",
        "home_test/pages.py",
        "tests/test_home_test.py",
    }


def test_the_documented_app_installs_and_passes_its_own_tests(tmp_path):
    for path, body in _files().items():
        target = tmp_path / "pkg" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    site = write_dist(tmp_path / "site", {"home_test": "home_test:app"}, name="home_test_doc")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(site), str(tmp_path / "pkg"), str(ROOT)]),
    }
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "tests"],
        cwd=tmp_path / "pkg",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout
