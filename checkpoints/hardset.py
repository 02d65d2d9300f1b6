"""Synthetic hard set: checkpoint-like QR photos with known text, reproducible from a seed.

Each sample is a 1280x720 BGR frame holding one QR code with a real-looking payload (a
``TP1:`` + base45 token of about 180 characters, or a permit URL), degraded the way phone and
webcam captures are: rotation, perspective, gaussian and motion blur, sensor noise, low
contrast, glare, hard shadows, bent paper, defocus, cracked screens, small codes far from the camera, a phone
screen's pixel grid (moire), JPEG, and combinations of these.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import segno

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
FRAME_W, FRAME_H = 1280, 720
EFFECTS = (
    "rotate",
    "perspective",
    "blur",
    "motion",
    "noise",
    "contrast",
    "glare",
    "small",
    "moire",
    "jpeg",
    "shadow",
    "curve",
    "defocus",
    "crack",
)


@dataclass
class Sample:
    """One synthetic frame and the text its QR code holds."""

    image: np.ndarray
    text: str
    effects: list[str] = field(default_factory=list)


def random_token(rng: np.random.Generator) -> str:
    """A permit-like payload: ``TP1:`` + ~180 base45 chars, or (1 in 4) a verification URL."""
    if rng.random() < 0.25:
        ident = "".join(rng.choice(list("abcdefghijkmnpqrstuvwxyz23456789"), size=22))
        return f"https://permit.hcmc.example.vn/v/{ident}"
    n = int(rng.integers(160, 200))
    return "TP1:" + "".join(rng.choice(list(BASE45), size=n))


def qr_matrix(text: str, error: str = "m") -> np.ndarray:
    """QR modules as a bool array (True = dark), no quiet zone."""
    qr = segno.make_qr(text, error=error, boost_error=False)
    return np.array([list(row) for row in qr.matrix], dtype=bool)


def render_qr(modules: np.ndarray, module_px: int, border: int = 4) -> np.ndarray:
    """Black-on-white gray rendering with a quiet zone of ``border`` modules."""
    img = np.where(modules, 0, 255).astype(np.uint8)
    img = np.pad(img, border, constant_values=255)
    return cv2.resize(img, None, fx=module_px, fy=module_px, interpolation=cv2.INTER_NEAREST)


def _background(rng: np.random.Generator) -> np.ndarray:
    """A cluttered-ish scene: gradient, blobs and lines, in colour."""
    yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
    base = rng.uniform(40, 200)
    grad = base + rng.uniform(-60, 60) * xx / FRAME_W + rng.uniform(-60, 60) * yy / FRAME_H
    bg = np.stack([grad * rng.uniform(0.7, 1.2) for _ in range(3)], axis=2)
    bg = np.clip(bg, 0, 255).astype(np.uint8)
    for _ in range(int(rng.integers(3, 10))):
        color = tuple(int(c) for c in rng.integers(0, 256, 3))
        if rng.random() < 0.5:
            center = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
            axes = (int(rng.integers(20, 200)), int(rng.integers(20, 200)))
            cv2.ellipse(bg, center, axes, float(rng.uniform(0, 180)), 0, 360, color, -1)
        else:
            p1 = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
            p2 = (int(rng.integers(0, FRAME_W)), int(rng.integers(0, FRAME_H)))
            cv2.line(bg, p1, p2, color, int(rng.integers(1, 12)))
    return bg


def _screen_moire(code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Show the code on a phone screen: an RGB subpixel grid, dim gaps, then a resample."""
    pitch = int(rng.integers(3, 6))
    h, w = code.shape
    screen = cv2.resize(code, (w * pitch // 2, h * pitch // 2), interpolation=cv2.INTER_NEAREST)
    screen = cv2.cvtColor(screen, cv2.COLOR_GRAY2BGR).astype(np.float32)
    sh, sw = screen.shape[:2]
    mask = np.full((sh, sw, 3), 0.35, np.float32)
    for c in range(3):  # vertical R,G,B stripes inside each pixel cell
        mask[:, c::pitch, 2 - c] = 1.0
    mask[::pitch, :, :] *= 0.4  # dark row gaps
    screen = screen * mask
    # screen emits light: lift blacks (backlight bleed)
    screen = 25 + screen * rng.uniform(0.7, 1.0)
    screen = np.clip(screen, 0, 255).astype(np.uint8)
    gray = cv2.cvtColor(screen, cv2.COLOR_BGR2GRAY)
    # camera samples the grid at a slightly off, non-integer scale -> moire beats
    scale = rng.uniform(0.45, 0.8) * 2 / pitch
    out = cv2.resize(
        gray, None, fx=scale * pitch / 2, fy=scale * pitch / 2, interpolation=cv2.INTER_LINEAR
    )
    return out


def _bend(code: np.ndarray, depth: float) -> np.ndarray:
    """Cylindrical bend around the vertical axis: columns near the edges get compressed."""
    h, w = code.shape
    xs = np.linspace(-1, 1, w, dtype=np.float32)
    # a cylinder seen from the front: x_screen = sin(theta), theta spread by depth
    span = depth * 4.0  # half-angle of the visible arc: edge modules shrink by cos(span)
    src_x = (np.arcsin(np.clip(xs * np.sin(span), -1, 1)) / span + 1) / 2 * (w - 1)
    map_x = np.tile(src_x, (h, 1)).astype(np.float32)
    map_y = np.repeat(np.arange(h, dtype=np.float32)[:, None], w, axis=1)
    # slight vertical sag towards the edges, as paper bends
    map_y = (map_y + (xs**2 * depth * h * 0.1)[None, :]).astype(np.float32)
    return cv2.remap(
        code, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def _motion_kernel(length: int, angle: float) -> np.ndarray:
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0
    rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
    k = cv2.warpAffine(k, rot, (length, length))
    return k / max(float(k.sum()), 1e-6)


def make_sample(rng: np.random.Generator, effects: list[str] | None = None) -> Sample:
    """One synthetic frame. ``effects`` defaults to a random combination of 1-3 effects."""
    if effects is None:
        k = int(rng.choice([1, 1, 2, 2, 3]))
        effects = sorted(set(rng.choice(EFFECTS, size=k, replace=False).tolist()))
    text = random_token(rng)
    modules = qr_matrix(text, error=str(rng.choice(["l", "m", "m", "q"])))
    n_mod = modules.shape[0] + 8
    target = rng.uniform(110, 200) if "small" in effects else rng.uniform(260, 560)
    module_px = max(2, int(round(target / n_mod)))
    code = render_qr(modules, module_px)
    if "moire" in effects:
        code = _screen_moire(code, rng)
    # paper is rarely pure white, ink rarely pure black
    ink, paper = rng.uniform(5, 45), rng.uniform(200, 250)
    code = (ink + code.astype(np.float32) / 255.0 * (paper - ink)).astype(np.uint8)
    if "contrast" in effects:
        lo, span = rng.uniform(60, 140), rng.uniform(35, 70)
        code = (lo + code.astype(np.float32) / 255.0 * span).astype(np.uint8)
    if "curve" in effects:
        code = _bend(code, rng.uniform(0.08, 0.2))
    ch, cw = code.shape
    src = np.float32([[0, 0], [cw, 0], [cw, ch], [0, ch]])
    scale_to = 1.0
    if "small" not in effects:
        scale_to = min(1.0, 600 / max(ch, cw))
    side = max(ch, cw) * scale_to
    angle = np.deg2rad(rng.uniform(0, 360) if "rotate" in effects else rng.uniform(-6, 6))
    cx = rng.uniform(side / 2 + 20, FRAME_W - side / 2 - 20)
    cy = rng.uniform(min(side / 2 + 20, FRAME_H / 2), max(FRAME_H - side / 2 - 20, FRAME_H / 2))
    corners = np.float32([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * side
    if "perspective" in effects:
        jitter = rng.uniform(-0.18, 0.18, size=(4, 2)).astype(np.float32) * side
        corners = corners + jitter
    rot = np.float32([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    dst = corners @ rot.T
    # keep the whole code (with its quiet zone) inside the frame
    span = dst.max(axis=0) - dst.min(axis=0)
    fit = min(1.0, (FRAME_W - 40) / span[0], (FRAME_H - 40) / span[1])
    dst = dst * fit
    lo, hi = dst.min(axis=0), dst.max(axis=0)
    cx = float(np.clip(cx, 20 - lo[0], FRAME_W - 20 - hi[0]))
    cy = float(np.clip(cy, 20 - lo[1], FRAME_H - 20 - hi[1]))
    side *= fit
    dst = dst + np.float32([cx, cy])
    m = cv2.getPerspectiveTransform(src, dst.astype(np.float32))
    frame = _background(rng)
    warped = cv2.warpPerspective(
        cv2.cvtColor(code, cv2.COLOR_GRAY2BGR), m, (FRAME_W, FRAME_H), flags=cv2.INTER_LINEAR
    )
    mask = cv2.warpPerspective(
        np.full((ch, cw), 255, np.uint8), m, (FRAME_W, FRAME_H), flags=cv2.INTER_LINEAR
    )
    alpha = (mask.astype(np.float32) / 255.0)[:, :, None]
    tint = rng.uniform(0.85, 1.05, size=3).astype(np.float32)
    img = frame.astype(np.float32) * (1 - alpha) + warped.astype(np.float32) * tint * alpha
    if "glare" in effects:
        glare = np.zeros((FRAME_H, FRAME_W), np.float32)
        center = (int(cx + rng.uniform(-0.3, 0.3) * side), int(cy + rng.uniform(-0.3, 0.3) * side))
        axes = (int(side * rng.uniform(0.1, 0.3)), int(side * rng.uniform(0.05, 0.2)))
        cv2.ellipse(glare, center, axes, float(rng.uniform(0, 180)), 0, 360, 1.0, -1)
        glare = cv2.GaussianBlur(glare, (0, 0), side * 0.05 + 1)
        img = img + glare[:, :, None] * rng.uniform(120, 200)
    img = np.clip(img, 0, 255)
    if "shadow" in effects:  # a hard-edged shadow (hand, cap brim) across part of the code
        p = np.float32([cx, cy]) + rng.uniform(-0.3, 0.3, 2).astype(np.float32) * side
        ang = rng.uniform(0, np.pi)
        normal = np.float32([np.cos(ang), np.sin(ang)])
        yy, xx = np.mgrid[0:FRAME_H, 0:FRAME_W].astype(np.float32)
        side_of = (xx - p[0]) * normal[0] + (yy - p[1]) * normal[1]
        edge = np.clip(side_of / rng.uniform(2, 12) + 0.5, 0, 1)
        img = img * (1 - edge * rng.uniform(0.45, 0.7))[:, :, None]
    if "crack" in effects:  # cracked phone screen: thin bright/dark lines radiating out
        origin = np.float32([cx, cy]) + rng.uniform(-0.4, 0.4, 2).astype(np.float32) * side
        for _ in range(int(rng.integers(3, 8))):
            pts = [origin.copy()]
            ang = rng.uniform(0, 2 * np.pi)
            for _ in range(int(rng.integers(2, 6))):
                ang += rng.uniform(-0.5, 0.5)
                step = rng.uniform(0.1, 0.3) * side
                pts.append(pts[-1] + step * np.float32([np.cos(ang), np.sin(ang)]))
            poly = np.int32(pts).reshape(-1, 1, 2)
            shade = float(rng.choice([rng.uniform(200, 255), rng.uniform(0, 60)]))
            cv2.polylines(img, [poly], False, (shade, shade, shade), int(rng.integers(1, 3)))
    if "defocus" in effects:  # out of focus: disk kernel
        r = int(np.clip(round(module_px * rng.uniform(0.3, 0.7)), 1, 4))
        disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1)).astype(
            np.float32
        )
        img = cv2.filter2D(img, -1, disk / disk.sum())
    if "blur" in effects:
        img = cv2.GaussianBlur(img, (0, 0), rng.uniform(1.0, 2.2) * max(1.0, module_px / 5))
    if "motion" in effects:
        # streak of 0.8-2.2 modules: beyond that no decoder can recover the code
        length = int(np.clip(module_px * rng.uniform(0.8, 2.2), 3, 15))
        img = cv2.filter2D(img, -1, _motion_kernel(length, float(rng.uniform(0, 180))))
    if "noise" in effects:
        img = img + rng.normal(0, rng.uniform(10, 28), size=img.shape)
    img = np.clip(img, 0, 255).astype(np.uint8)
    if "jpeg" in effects:
        q = int(rng.integers(15, 40))
        ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, q])
        if ok:
            img = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return Sample(image=img, text=text, effects=list(effects))


def iter_samples(n: int, seed: int = 0) -> Iterator[Sample]:
    """``n`` samples; the same seed gives the same images."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield make_sample(rng)


def generate(n: int, seed: int = 0) -> list[Sample]:
    """``n`` samples as a list (1280x720 BGR each, ~2.7 MB per image in memory)."""
    return list(iter_samples(n, seed))
