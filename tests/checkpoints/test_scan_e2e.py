"""Done when: issue -> PNG -> video (moves, blurs, turns) -> `rapid checkpoint scan --video` ->
exactly one verdict with the right reason; bad input through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
import segno

from .helpers import (
    HAS_TP,
    ZONE_A,
    ZONE_B,
    build_world,
    code_image,
    rapid,
    rapid_env,
    write_video,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    base = tmp_path_factory.mktemp("cpworld")
    w = build_world(base)
    out = rapid(
        w.env,
        "checkpoint",
        "add",
        "cp-1",
        "--name",
        "Chốt 1",
        "--zone",
        ZONE_A,
        "--lat",
        "16.06",
        "--lon",
        "108.2",
    )
    assert out.returncode == 0, out.stderr
    out = rapid(
        w.env,
        "checkpoint",
        "bundle",
        "--zone",
        ZONE_A,
        "--out",
        base / "b.bin",
        "--checkpoint",
        "cp-1",
    )
    assert out.returncode == 0, out.stderr
    w.base = base
    w.bundle = base / "b.bin"
    return w


def scan(env: dict[str, str], source: str, path: Path, bundle: Path, *args):
    """``rapid checkpoint scan --<source> PATH --bundle BUNDLE ARGS...``."""
    return rapid(env, "checkpoint", "scan", f"--{source}", path, "--bundle", bundle, *args)


def valid_video(world) -> Path:
    """The valid token's video, written once for the tests that only need some good video."""
    video = world.base / "valid.avi"
    if not video.exists():
        write_video(video, world.tokens["valid"])
    return video


def verdicts(stdout: str) -> list[dict]:
    rows = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    return [r for r in rows if not r.get("summary")]


EXPECTED = {
    "valid": ("VALID", "VALID"),
    "expired": ("INVALID", "EXPIRED"),
    "revoked": ("INVALID", "REVOKED"),
    "tampered": ("INVALID", "BAD_SIGNATURE"),
    "wrong_zone": ("INVALID", "ZONE_NOT_ALLOWED" if HAS_TP else "VALID"),
}


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_video_gives_exactly_one_verdict(world, kind):
    video = write_video(world.base / f"{kind}.avi", world.tokens[kind])
    log = world.base / f"{kind}.jsonl"
    out = scan(
        world.env, "video", video, world.bundle, "--json", "--log", log, "--staff", "Lê Văn Chốt"
    )
    assert out.returncode == 0, out.stderr
    got = verdicts(out.stdout)
    assert len(got) == 1, got
    assert (got[0]["verdict"], got[0]["reason"]) == EXPECTED[kind]
    assert got[0]["checkpoint"] == "cp-1"
    rows = [r["r"] for r in log_rows(log)]
    assert [(r["staff"], r["verdict"], r["reason"]) for r in rows] == [
        ("Lê Văn Chốt", *EXPECTED[kind])
    ]
    verified = kind != "tampered"  # only a verified token's id is kept, for the upload
    assert rows[0]["token_id"] == (world.ids[kind] if verified else None)
    assert world.ids.get(kind, "@@") not in out.stdout  # token ids are never printed


def log_rows(path: Path) -> list[dict]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "rapid-checkpoint-log/2"
    return [json.loads(line) for line in lines[1:]]


def test_human_output_and_log_upload_idempotent(world, tmp_path):
    """Station set-up and sync through the real commands: the station shows its key, the
    server registers it for a checkpoint, the station's log is uploaded (twice: idempotent)."""
    station = rapid_env(tmp_path / "station")
    trust = tmp_path / "trust.json"
    assert rapid(world.env, "keys", "export-trust", "--out", trust).returncode == 0
    video = valid_video(world)
    log = tmp_path / "human.jsonl"
    out = scan(station, "video", video, world.bundle, "--log", log, "--trust", trust)
    assert out.returncode == 0, out.stderr
    assert "VALID" in out.stdout and "Nguyễn Văn An" in out.stdout
    assert "1 scan(s)" in out.stderr and "register" in out.stderr  # a new station key
    refused = rapid(world.env, "checkpoint", "upload", log)
    assert refused.returncode == 1 and "not registered" in refused.stderr
    pub = tmp_path / "station.pub"
    shown = rapid(station, "checkpoint", "station-key", "--out", pub)
    assert shown.returncode == 0 and "BEGIN PUBLIC KEY" in shown.stdout
    reg = rapid(world.env, "checkpoint", "register-station", "cp-1", pub, "--staff", "Tổ chốt 1")
    assert reg.returncode == 0, reg.stderr
    first = rapid(world.env, "checkpoint", "upload", log)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("1 scan(s) added")
    again = rapid(world.env, "checkpoint", "upload", log)
    assert again.returncode == 0 and again.stdout.startswith("0 scan(s) added, 1 already")


def test_corrupt_log_upload_is_refused(world):
    bad = world.base / "bad.jsonl"
    bad.write_bytes(b"DUCK" + bytes(range(256)) * 40)
    out = rapid(world.env, "checkpoint", "upload", bad)
    assert out.returncode == 1 and "nothing written" in out.stderr
    assert "Traceback" not in out.stderr


def _qr(text: str | bytes, **kw) -> np.ndarray:
    q = segno.make(text, error="l", micro=False, **kw)
    m = np.array(q.matrix, dtype=np.uint8)
    m = np.pad(m, 4)
    img = np.where(np.kron(m, np.ones((4, 4), np.uint8)) > 0, 0, 255).astype(np.uint8)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def _barcode() -> np.ndarray:
    rng = np.random.default_rng(1)
    bars = np.repeat(rng.integers(0, 2, 95), 3)
    img = np.tile(np.where(bars > 0, 0, 255).astype(np.uint8), (120, 1))
    img = np.pad(img, 30, constant_values=255)
    return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)


def test_bad_frames_are_clear_and_nothing_crashes(world):
    d = world.base / "bad_images"
    d.mkdir()
    cv2.imwrite(str(d / "1_empty.png"), np.full((480, 640, 3), 200, np.uint8))
    two = np.full((500, 1000, 3), 255, np.uint8)
    a, b = code_image(world.tokens["valid"], 3), code_image(world.tokens["revoked"], 3)
    two[10 : 10 + a.shape[0], 10 : 10 + a.shape[1]] = a
    two[10 : 10 + b.shape[0], 500 : 500 + b.shape[1]] = b
    cv2.imwrite(str(d / "2_two.png"), two)
    cv2.imwrite(str(d / "3_barcode.png"), _barcode())
    cv2.imwrite(
        str(d / "4_random.png"), _qr(bytes(np.random.default_rng(3).integers(0, 256, 60, np.uint8)))
    )
    cv2.imwrite(str(d / "5_unknown.png"), _qr("XX9:HELLO-WORLD"))
    cv2.imwrite(str(d / "6_big.png"), _qr("TP1:" + "A1B2C3D4" * 375))
    (d / "7_garbage.png").write_bytes(b"not an image at all")
    log = world.base / "bad.log.jsonl"
    out = scan(world.env, "images", d, world.bundle, "--json", "--log", log)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    got = verdicts(out.stdout)
    by_source = {}
    for v in got:
        by_source.setdefault(Path(v["source"]).name, []).append((v["verdict"], v["reason"]))
    assert "1_empty.png: no QR code" in out.stderr.replace(str(d) + "/", "")
    assert sorted(by_source["2_two.png"]) == [("INVALID", "REVOKED"), ("VALID", "VALID")]
    assert "3_barcode.png" not in by_source
    assert by_source["4_random.png"] == [("INVALID", "UNKNOWN_TYPE")]
    assert by_source["5_unknown.png"] == [("INVALID", "UNKNOWN_TYPE")]
    assert by_source["6_big.png"][0][0] == "INVALID"
    assert "7_garbage.png: skipped" in out.stderr.replace(str(d) + "/", "")
    assert len(log_rows(log)) == len(got)  # nothing lost


def test_bundle_for_another_zone_or_tampered_is_refused(world):
    video = valid_video(world)
    out = scan(
        world.env, "video", video, world.bundle, "--zone", ZONE_B, "--log", world.base / "z.jsonl"
    )
    assert out.returncode == 1 and f"for zone {ZONE_A}" in out.stderr and ZONE_B in out.stderr
    data = bytearray(world.bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = world.base / "tampered.bin"
    bad.write_bytes(bytes(data))
    out = scan(world.env, "video", video, bad, "--log", world.base / "z.jsonl")
    assert out.returncode == 1 and "refusing to scan" in out.stderr
    assert "Traceback" not in out.stderr


def test_qr_decode_is_added_to_the_qr_group(world):
    png = world.base / "code.png"
    cv2.imwrite(str(png), code_image(world.tokens["valid"]))
    out = rapid(world.env, "qr", "decode", png, "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["texts"] == [world.tokens["valid"]]


def test_a_station_without_keys_needs_a_pinned_trust_list(world, tmp_path):
    """A station machine (its own empty data dir) refuses a bundle it cannot pin, accepts it
    with the server's exported trust list, and only with an explicit flag without one."""
    station = rapid_env(tmp_path / "station")
    args = ["video", valid_video(world), world.bundle, "--json", "--log", tmp_path / "s.jsonl"]
    out = scan(station, *args)
    assert out.returncode == 1 and "no pinned trust list" in out.stderr
    trust = tmp_path / "trust.json"
    assert rapid(world.env, "keys", "export-trust", "--out", trust).returncode == 0
    out = scan(station, *args, "--trust", trust)
    assert out.returncode == 0, out.stderr
    assert [v["verdict"] for v in verdicts(out.stdout)] == ["VALID"]
    out = scan(station, *args, "--allow-unpinned")
    assert out.returncode == 0 and "integrity only" in out.stderr
