"""The committed phone scanner bundle (core/web/assets/scanner/) is what web/scanner builds:
BUILD.txt states the real sizes, every package the sources use is pinned in the lock file and
its licence is in LICENSES.txt, and the sources never name a CDN. No Node or browser needed."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ASSETS = ROOT / "core" / "web" / "assets" / "scanner"
SRC = ROOT / "web" / "scanner"


def _lock() -> dict:
    return json.loads((SRC / "package-lock.json").read_text(encoding="utf-8"))


def test_build_txt_states_the_real_sizes() -> None:
    text = (ASSETS / "BUILD.txt").read_text(encoding="utf-8")
    for name in ("scanner.js", "zxing_reader.wasm"):
        data = (ASSETS / name).read_bytes()
        row = re.search(rf"^{re.escape(name)}\s+([\d,]+)\s+([\d,]+)$", text, re.M)
        assert row, name
        assert int(row[1].replace(",", "")) == len(data)
        gz = int(row[2].replace(",", ""))
        assert abs(gz - len(gzip.compress(data, 9))) <= len(data) // 100  # zlib versions differ
    assert (ASSETS / "zxing_reader.wasm").read_bytes()[:4] == b"\0asm"


def test_every_dependency_is_pinned_and_licensed() -> None:
    package = json.loads((SRC / "package.json").read_text(encoding="utf-8"))
    lock = _lock()["packages"]
    licences = (ASSETS / "LICENSES.txt").read_text(encoding="utf-8")
    build = (ASSETS / "BUILD.txt").read_text(encoding="utf-8")
    for name, wanted in package["dependencies"].items():
        assert wanted.startswith(">="), (name, wanted)  # lower bounds here, exact in the lock
        version = lock[f"node_modules/{name}"]["version"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), (name, version)
        assert f"{name} {version} " in licences, name
        assert f"  {name} {version} " in build, name
    assert "zxing-cpp" in licences and "Apache License" in licences
    for name in package["devDependencies"]:
        assert f"node_modules/{name}" in lock


def test_sources_import_only_locked_packages_and_no_cdn() -> None:
    deps = set(json.loads((SRC / "package.json").read_text(encoding="utf-8"))["dependencies"])
    for path in sorted((SRC / "src").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), path.name
        for spec in re.findall(r"from '([^'.][^']*)'", text):
            package = "/".join(spec.split("/")[: 2 if spec.startswith("@") else 1])
            assert package in deps, (path.name, spec)
