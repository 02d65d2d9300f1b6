"""Shared helpers for the checkpoint tests: a data folder with issued permits, videos of codes,
and the ``rapid`` command in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import cbor2
import cv2
import numpy as np

from core import clock
from core.config import Settings, set_settings
from core.qr import service as qr
from core.qr.codec import b45decode, b45encode, deflate, inflate, split_prefix
from core.qr.render import png_bytes
from core.registry import get_registry
from core.store import Store, set_store

ROOT = Path(__file__).resolve().parents[2]
RAPID = str(Path(sys.executable).parent / "rapid")
ZONE_A = "20275"  # Phường An Hải, Da Nang
ZONE_B = "20224"  # Phường An Khê
HAS_TP = get_registry().token_type_for("TP1:") is not None


def rapid_env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAPID_")}
    env["RAPID_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    return env


def rapid(env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(
        [RAPID, *map(str, args)], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def permit_claims(name: str, zones: list[str]) -> dict:
    return {"n": name, "c": "1234", "w": [int(z) for z in zones], "h": [0, 1440]}


def tamper(text: str) -> str:
    """Same token with a changed name and the original signature (BAD_SIGNATURE)."""
    prefix, body = split_prefix(text)
    msg = cbor2.loads(inflate(b45decode(body)))
    parts = list(msg.value if isinstance(msg, cbor2.CBORTag) else msg)
    payload = cbor2.loads(parts[2])
    for v in payload.values():
        if isinstance(v, dict) and "n" in v:
            v["n"] = "Kẻ Giả Mạo"
    parts[2] = cbor2.dumps(payload)
    out = cbor2.dumps(cbor2.CBORTag(18, parts) if isinstance(msg, cbor2.CBORTag) else parts)
    return prefix + b45encode(deflate(out))


@dataclass
class World:
    data_dir: Path
    tokens: dict[str, str] = field(default_factory=dict)
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        return rapid_env(self.data_dir)


def build_world(base: Path) -> World:
    """A data folder with keys and permits: valid, expired, revoked, wrong zone, tampered."""
    settings = Settings(data_dir=base / "data", base_url="http://testserver")
    set_settings(settings)
    qr.reset_cache()
    store = Store(settings.database)
    try:
        store.migrate(get_registry().all_migrations())
        set_store(store)
        now = clock.now()
        day = timedelta(days=1)
        specs = {
            "valid": (permit_claims("Nguyễn Văn An", [ZONE_A]), now - day, now + day),
            "expired": (permit_claims("Trần Thị Bình", [ZONE_A]), now - 3 * day, now - day),
            "revoked": (permit_claims("Lê Văn Cường", [ZONE_A]), now - day, now + day),
            "wrong_zone": (permit_claims("Phạm Thị Dung", [ZONE_B]), now - day, now + day),
        }
        world = World(base / "data")
        prefix = "TP1:" if HAS_TP else "ZZ1:"
        for key, (claims, nbf, exp) in specs.items():
            if not HAS_TP:
                claims = {"n": claims["n"]}
            (issued,) = qr.issue(
                prefix,
                [qr.IssueItem(claims=claims, expires=exp, not_before=nbf)],
                "test",
                store=store,
            )
            world.tokens[key] = issued.text
            world.ids[key] = issued.token_id
        qr.revoke(world.ids["revoked"], "test", "lost", store=store)
        world.tokens["tampered"] = tamper(world.tokens["valid"])
    finally:
        set_store(None)
        store.close()
        set_settings(None)
        qr.reset_cache()
    return world


def code_image(text: str, scale: int = 6) -> np.ndarray:
    img = cv2.imdecode(np.frombuffer(png_bytes(text, scale=scale), np.uint8), cv2.IMREAD_COLOR)
    assert img is not None
    return img


def write_video(path: Path, text: str, *, size=(640, 480), fps: int = 15, seconds: float = 2.4):
    """A short video in which the code moves, turns and goes through a blur."""
    code = code_image(text, scale=5)
    w, h = size
    n = int(fps * seconds)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), fps, (w, h))
    assert writer.isOpened()
    ch, cw = code.shape[:2]
    for i in range(n):
        f = i / max(1, n - 1)
        frame = np.full((h, w, 3), 180, np.uint8)
        angle = -20 + 40 * f
        m = cv2.getRotationMatrix2D((cw / 2, ch / 2), angle, 0.9)
        m[0, 2] += 40 + f * (w - cw - 80)
        m[1, 2] += (h - ch) / 2 + 20 * np.sin(6 * f)
        frame = cv2.warpAffine(code, m, (w, h), dst=frame, borderMode=cv2.BORDER_TRANSPARENT)
        if 0.35 < f < 0.6:
            frame = cv2.GaussianBlur(frame, (0, 0), 2.0)
        writer.write(frame)
    writer.release()
    return path


def issue_permit(store, name: str = "Nguyễn Văn An", zones: list[str] | None = None):
    """One TP1: permit valid from an hour ago for a day, issued through the server's QR core."""
    from datetime import timedelta

    from core import clock
    from core.qr import service as qr

    qr.reset_cache()
    now = clock.now()
    (tok,) = qr.issue(
        "TP1:",
        [
            qr.IssueItem(
                permit_claims(name, zones or [ZONE_A]),
                now + timedelta(days=1),
                now - timedelta(hours=1),
            )
        ],
        "test",
        store=store,
    )
    return tok
