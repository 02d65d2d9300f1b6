"""QR decoder for checkpoint frames: a cheap fast path, then escalating fallbacks.

Order of work for one frame (stops after the first step that finds a QR code):

1. fast path: zxing-cpp on the grayscale frame (about 1 ms for 1280x720), then pyzbar on a
   copy downscaled to 960 px for large frames, then pyzbar on the full frame. zxing-cpp goes
   first because it measured both faster (1 ms vs 20-35 ms for pyzbar on a cluttered
   1280x720 frame) and more robust (see ``benchmarks/checkpoint_decode.py``).
2. fallbacks, each preprocessed copy through zxing-cpp (local-average and global-histogram
   binarisers): CLAHE contrast, upscale and upscale+unsharp (small codes), unsharp (blur),
   background flattening (glare, shadows), adaptive/Otsu thresholds, smoothing and
   downscaling (noise, screen moire), morphological close (cracks), equalisation, Wiener
   deconvolution along the estimated motion-blur direction and of gaussian defocus;
3. codes zxing-cpp located but could not read are cut out, squared up and retried;
4. the same preprocessed copies through pyzbar (its binariser reads some codes zxing cannot),
   inverted colours included;
5. OpenCV's ``QRCodeDetector``, the slowest, last.

Steps 2-5 are bounded by ``budget_ms`` of CPU time so one bad frame never stalls the scanner.
Only QR codes are reported; other symbologies are ignored. Payloads that are not UTF-8 keep
zxing's charset decoding when it yields text (Latin-1, Shift_JIS), otherwise become text with
U+FFFD replacement characters.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

log = logging.getLogger(__name__)

try:  # pragma: no cover - both are declared dependencies; degrade rather than crash
    import zxingcpp
except Exception:  # noqa: BLE001
    zxingcpp = None
    log.warning("zxing-cpp unavailable; QR decoding falls back to pyzbar/OpenCV")

try:  # pragma: no cover
    from pyzbar import pyzbar
except Exception:  # noqa: BLE001 - ImportError or missing libzbar shared library
    pyzbar = None
    log.warning("pyzbar/libzbar unavailable; QR decoding falls back to zxing-cpp/OpenCV")

Point = tuple[int, int]


def _cpu_now() -> float:
    """CPU seconds of this thread: the fallback budget counts our work, not the time other
    processes on a busy machine take from us, so results do not depend on machine load."""
    return time.thread_time()


@dataclass(frozen=True)
class Decoded:
    """One QR code found in a frame: its text, corner polygon (frame pixels), and the stage."""

    text: str
    polygon: list[Point] = field(default_factory=list)
    method: str = ""


def bytes_to_text(data: bytes) -> str:
    """Payload bytes to text: UTF-8, with undecodable bytes replaced (never raises)."""
    return bytes(data).decode("utf-8", errors="replace")


def to_gray(image: np.ndarray) -> np.ndarray | None:
    """Any image array (gray, BGR, BGRA, float, odd shapes) to contiguous uint8 gray, or None."""
    if image is None:
        return None
    img = np.asarray(image)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[:, :, 0]
    if img.ndim not in (2, 3) or img.shape[0] < 2 or img.shape[1] < 2:
        return None
    if img.dtype != np.uint8:
        if img.dtype == np.bool_:
            img = img.astype(np.uint8) * 255
        elif np.issubdtype(img.dtype, np.floating):
            finite = np.nan_to_num(img.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
            hi = float(finite.max()) if finite.size else 0.0
            finite = finite * 255.0 if hi <= 1.0 else finite
            img = np.clip(finite, 0, 255).astype(np.uint8)
        elif img.dtype == np.uint16:
            img = (img >> 8).astype(np.uint8)
        else:
            img = np.clip(img, 0, 255).astype(np.uint8)
    if img.ndim == 3:
        channels = img.shape[2]
        if channels == 3:
            img = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_BGR2GRAY)
        elif channels == 4:
            img = cv2.cvtColor(np.ascontiguousarray(img), cv2.COLOR_BGRA2GRAY)
        else:
            img = img[:, :, :3].mean(axis=2).astype(np.uint8) if channels > 1 else img[:, :, 0]
    return np.ascontiguousarray(img)


# --- engines: each takes a uint8 gray image, returns [(text, polygon)] in that image's pixels ---

Hit = tuple[str, list[tuple[float, float]]]


def _zxing_text(result) -> str:
    raw = bytes(getattr(result, "bytes", b"") or b"")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # Not UTF-8. zxing has decoded it with the declared (ECI) or guessed charset: Shift_JIS,
    # ISO-8859-1 ... Keep that when it reads as text; control characters mean binary data,
    # which gets U+FFFD replacements like every other undecodable payload.
    text = getattr(result, "text", "") or ""
    if text and not any(_is_control(c) for c in text):
        return text
    return bytes_to_text(raw)


def _is_control(c: str) -> bool:
    o = ord(c)
    return (o < 0x20 and c not in "\t\n\r") or 0x7F <= o <= 0x9F


def zxing_engine(gray: np.ndarray, *, binarizer=None, try_harder: bool = True) -> list[Hit]:
    """zxing-cpp, QR codes only."""
    if zxingcpp is None:
        return []
    kwargs = {
        "formats": zxingcpp.BarcodeFormat.QRCode,
        "try_rotate": try_harder,
        "try_downscale": try_harder,
        "try_invert": try_harder,
        "text_mode": zxingcpp.TextMode.Plain,  # HRI would render "\r" as "<CR>"
    }
    if binarizer is not None:
        kwargs["binarizer"] = binarizer
    hits: list[Hit] = []
    for r in zxingcpp.read_barcodes(gray, **kwargs):
        if not r.valid:
            continue
        p = r.position
        poly = [
            (p.top_left.x, p.top_left.y),
            (p.top_right.x, p.top_right.y),
            (p.bottom_right.x, p.bottom_right.y),
            (p.bottom_left.x, p.bottom_left.y),
        ]
        hits.append((_zxing_text(r), poly))
    return hits


def zbar_engine(gray: np.ndarray) -> list[Hit]:
    """pyzbar (ZBar), QR codes only."""
    if pyzbar is None:
        return []
    hits: list[Hit] = []
    for r in pyzbar.decode(gray, symbols=[pyzbar.ZBarSymbol.QRCODE]):
        if r.type != "QRCODE":
            continue
        poly = [(float(pt.x), float(pt.y)) for pt in r.polygon] or [
            (r.rect.left, r.rect.top),
            (r.rect.left + r.rect.width, r.rect.top),
            (r.rect.left + r.rect.width, r.rect.top + r.rect.height),
            (r.rect.left, r.rect.top + r.rect.height),
        ]
        hits.append((bytes_to_text(r.data), poly))
    return hits


_LOCAL = threading.local()  # cv2.QRCodeDetector is stateful: one per thread


def opencv_engine(gray: np.ndarray) -> list[Hit]:
    """OpenCV's QR detector (multi-code)."""
    detector = getattr(_LOCAL, "qr", None)
    if detector is None:
        detector = _LOCAL.qr = cv2.QRCodeDetector()
    hits: list[Hit] = []
    try:
        ok, texts, points, _ = detector.detectAndDecodeMulti(gray)
    except cv2.error:
        ok, texts, points = False, (), None
    if ok and points is not None:
        for text, pts in zip(texts, points, strict=False):
            if text:
                hits.append((text, [(float(x), float(y)) for x, y in pts]))
    if not hits:
        try:
            text, pts, _ = detector.detectAndDecode(gray)
        except cv2.error:
            text, pts = "", None
        if text and pts is not None:
            hits.append((text, [(float(x), float(y)) for x, y in pts.reshape(-1, 2)]))
    return hits


# --- preprocessing variants: gray -> (image, scale) where image pixel = frame pixel * scale ---

Variant = tuple[np.ndarray, float]


def _resize(gray: np.ndarray, scale: float) -> np.ndarray:
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(gray, None, fx=scale, fy=scale, interpolation=interp)


def _work_copy(gray: np.ndarray, max_side: int) -> Variant:
    """A copy whose long side is at most max_side (fallbacks on huge frames stay bounded)."""
    side = max(gray.shape[:2])
    if side <= max_side:
        return gray, 1.0
    s = max_side / side
    return _resize(gray, s), s


def v_upscale(gray: np.ndarray) -> Variant | None:
    """Small codes (few pixels per module): enlarge so finder patterns become findable."""
    side = max(gray.shape[:2])
    if side > 1600:
        return None
    s = 3.0 if side <= 350 else 2.0
    return _resize(gray, s), s


def v_upscale_unsharp(gray: np.ndarray) -> Variant | None:
    """Small and blurred: enlarge, then sharpen at the enlarged module scale."""
    up = v_upscale(gray)
    if up is None:
        return None
    img, s = up
    blur = cv2.GaussianBlur(img, (0, 0), 1.5 * s)
    return cv2.addWeighted(img, 2.5, blur, -1.5, 0), s


def v_clahe(gray: np.ndarray) -> Variant:
    return cv2.createCLAHE(clipLimit=3.0, tileGridSize=(8, 8)).apply(gray), 1.0


def v_flatten(gray: np.ndarray) -> Variant:
    """Divide by a heavily blurred background: removes glare and uneven lighting."""
    k = max(15, (max(gray.shape[:2]) // 12) | 1)
    bg = cv2.morphologyEx(gray, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (5, 5)))
    bg = cv2.GaussianBlur(bg, (k, k), 0).astype(np.float32) + 1.0
    flat = gray.astype(np.float32) / bg
    return cv2.normalize(flat, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8), 1.0


def v_unsharp(gray: np.ndarray) -> Variant:
    blur = cv2.GaussianBlur(gray, (0, 0), 2.5)
    return cv2.addWeighted(gray, 2.5, blur, -1.5, 0), 1.0


def v_otsu(gray: np.ndarray) -> Variant:
    blur = cv2.GaussianBlur(gray, (3, 3), 0)
    return cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)[1], 1.0


def v_adaptive(gray: np.ndarray) -> Variant:
    block = max(11, (min(gray.shape[:2]) // 16) | 1)
    th = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, block, 5
    )
    return th, 1.0


def v_close(gray: np.ndarray) -> Variant:
    """Median + morphological close then open: fills moire/crack gaps in dark modules."""
    med = cv2.medianBlur(gray, 3)
    k = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    img = cv2.morphologyEx(med, cv2.MORPH_OPEN, k)  # opening on gray = thin bright lines removed
    img = cv2.morphologyEx(img, cv2.MORPH_CLOSE, k)
    return img, 1.0


def v_smooth(gray: np.ndarray) -> Variant:
    """Moire and sensor noise: blur away the pixel grid, then re-stretch contrast."""
    img = cv2.GaussianBlur(gray, (0, 0), 1.6)
    return cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX), 1.0


def v_downscale(gray: np.ndarray) -> Variant | None:
    """Half size: averages out moire and JPEG/sensor noise on large codes."""
    if min(gray.shape[:2]) < 240:
        return None
    return _resize(gray, 0.5), 0.5


def blur_direction(gray: np.ndarray) -> tuple[float, float]:
    """Direction of linear motion blur (radians, image axes) and the gradient anisotropy
    (min/max eigenvalue of the structure tensor: near 1 = no directional blur)."""
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    a, b, c = float((gx * gx).sum()), float((gx * gy).sum()), float((gy * gy).sum())
    half_tr, det = (a + c) / 2, a * c - b * b
    root = float(np.sqrt(max(half_tr * half_tr - det, 0.0)))
    big, small = half_tr + root, half_tr - root
    # gradients survive across the blur, not along it: blur runs along the weak axis
    theta = 0.5 * float(np.arctan2(2 * b, a - c)) + np.pi / 2
    return theta, (small / big if big > 0 else 1.0)


def _line_kernel(length: int, theta: float) -> np.ndarray:
    k = np.zeros((length + 2, length + 2), np.float32)
    c = (length + 1) / 2
    dx, dy = np.cos(theta) * (length - 1) / 2, np.sin(theta) * (length - 1) / 2
    p1 = (int(round(c - dx)), int(round(c - dy)))
    p2 = (int(round(c + dx)), int(round(c + dy)))
    cv2.line(k, p1, p2, 1.0, 1, cv2.LINE_AA)
    return k / max(float(k.sum()), 1e-6)


def wiener_deblur(gray: np.ndarray, kernel: np.ndarray, nsr: float = 0.01) -> np.ndarray:
    """Wiener deconvolution of ``gray`` by a known blur ``kernel``."""
    h, w = gray.shape
    kh, kw = kernel.shape
    pad = np.zeros((h, w), np.float32)
    pad[:kh, :kw] = kernel
    pad = np.roll(pad, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    big_h = np.fft.rfft2(pad)
    img = np.fft.rfft2(gray.astype(np.float32))
    out = np.fft.irfft2(img * np.conj(big_h) / (np.abs(big_h) ** 2 + nsr), s=(h, w))
    return np.clip(out, 0, 255).astype(np.uint8)


def v_deblur(length: int) -> Callable[[np.ndarray], Variant | None]:
    """Motion blur (shaking hand): estimate its direction, deconvolve a ``length`` px streak."""

    def make(gray: np.ndarray) -> Variant | None:
        theta, anisotropy = blur_direction(gray)
        if anisotropy > 0.75:
            return None
        return wiener_deblur(gray, _line_kernel(length, theta)), 1.0

    return make


def _gauss_kernel(sigma: float) -> np.ndarray:
    r = max(1, int(3 * sigma))
    k = cv2.getGaussianKernel(2 * r + 1, sigma)
    return (k @ k.T).astype(np.float32)


def v_degauss(sigma: float) -> Callable[[np.ndarray], Variant | None]:
    """Out of focus: Wiener-deconvolve a gaussian blur of ``sigma`` px (small images are
    enlarged 2x first so the restored edges have room)."""

    def make(gray: np.ndarray) -> Variant | None:
        if max(gray.shape[:2]) <= 500:
            up = _resize(gray, 2.0)
            return wiener_deblur(up, _gauss_kernel(2 * sigma)), 2.0
        return wiener_deblur(gray, _gauss_kernel(sigma)), 1.0

    return make


def v_invert(gray: np.ndarray) -> Variant:
    return 255 - gray, 1.0


def v_equalize(gray: np.ndarray) -> Variant:
    return cv2.equalizeHist(gray), 1.0


FALLBACKS: list[tuple[str, Callable[[np.ndarray], Variant | None]]] = [
    ("clahe", v_clahe),
    ("upscale", v_upscale),
    ("upscale-unsharp", v_upscale_unsharp),
    ("unsharp", v_unsharp),
    ("flatten", v_flatten),
    ("adaptive", v_adaptive),
    ("smooth", v_smooth),
    ("downscale", v_downscale),
    ("otsu", v_otsu),
    ("close", v_close),
    ("equalize", v_equalize),
    ("invert", v_invert),
    ("deblur7", v_deblur(7)),
    ("deblur11", v_deblur(11)),
    ("deblur15", v_deblur(15)),
    ("degauss1.2", v_degauss(1.2)),
    ("degauss2", v_degauss(2.0)),
]
_MAKERS = dict(FALLBACKS)
# zxing-cpp already tries inverted images itself; pyzbar does not.
ZXING_ORDER = ["gray"] + [n for n, _ in FALLBACKS if n != "invert"]
ZBAR_ORDER = [
    "gray",
    "clahe",
    "unsharp",
    "downscale",
    "smooth",
    "invert",
    "otsu",
    "adaptive",
    "flatten",
    "close",
    "equalize",
    "degauss2",
    "upscale",
    "upscale-unsharp",
]


def qr_candidates(gray: np.ndarray) -> list[np.ndarray]:
    """Corner quads (4x2 float32, TL TR BR BL) of QR symbols zxing-cpp located but could not
    decode (checksum or format errors): worth a closer, rectified look."""
    if zxingcpp is None:
        return []
    quads = []
    for r in zxingcpp.read_barcodes(
        gray, formats=zxingcpp.BarcodeFormat.QRCode, return_errors=True
    ):
        if r.valid:
            continue
        p = r.position
        corners = (p.top_left, p.top_right, p.bottom_right, p.bottom_left)
        quad = np.float32([[c.x, c.y] for c in corners])
        area = cv2.contourArea(quad)
        if area >= 100:
            quads.append(quad)
    return quads


def rectify(gray: np.ndarray, quad: np.ndarray, size: int = 450) -> tuple[np.ndarray, np.ndarray]:
    """Warp the quad to a ``size`` square with a quiet-zone margin; returns (crop, inverse)."""
    m = size * 0.12
    dst = np.float32([[m, m], [m + size, m], [m + size, m + size], [m, m + size]])
    fwd = cv2.getPerspectiveTransform(quad.astype(np.float32), dst)
    side = int(size + 2 * m)
    crop = cv2.warpPerspective(
        gray, fwd, (side, side), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return crop, np.linalg.inv(fwd)


RECTIFIED_VARIANTS = ["gray", "clahe", "unsharp", "smooth", "otsu", "adaptive"]


class Decoder:
    """Find and decode every QR code in a frame.

    ``budget_ms`` bounds the CPU time (this thread) spent in fallbacks once the fast path
    found nothing (the fast path itself always runs). ``use_opencv`` enables the OpenCV
    detector as the last resort. Frames larger than ``fast_downscale_above`` (long side) get a
    downscaled pyzbar pass; fallbacks work on a copy no larger than ``fallback_max_side``.
    Thread-safe: one instance may serve several camera threads.
    """

    def __init__(
        self,
        *,
        budget_ms: float = 400.0,
        use_opencv: bool = True,
        fast_downscale_above: int = 960,
        fallback_max_side: int = 1600,
    ) -> None:
        self.budget_ms = budget_ms
        self.use_opencv = use_opencv
        self.fast_downscale_above = fast_downscale_above
        self.fallback_max_side = fallback_max_side

    def decode(self, image: np.ndarray, *, budget_ms: float | None = None) -> list[Decoded]:
        """All QR codes in ``image`` (gray, BGR or BGRA). Never raises on odd input.

        ``budget_ms`` overrides the instance's fallback budget for this call (e.g. a small one
        for live video, where the next frame is 33 ms away; 0 = fast path only)."""
        try:
            gray = to_gray(image)
        except Exception:  # noqa: BLE001 - garbage arrays must not crash the scanner
            log.debug("unusable image array", exc_info=True)
            return []
        if gray is None:
            return []
        found = self._fast(gray)
        budget = self.budget_ms if budget_ms is None else budget_ms
        if found or budget <= 0:
            return found
        return self._fallbacks(gray, budget)

    # internals ----------------------------------------------------------------------------

    def _run(self, name, engine, img: np.ndarray, scale: float, out: dict[str, Decoded]) -> None:
        try:
            hits = engine(img)
        except Exception:  # noqa: BLE001 - a decoder library bug must not stop the scan
            log.debug("engine %s failed", name, exc_info=True)
            return
        for text, poly in hits:
            if text in out:
                continue
            pts = [(int(round(x / scale)), int(round(y / scale))) for x, y in poly]
            out[text] = Decoded(text=text, polygon=pts, method=name)

    def _fast(self, gray: np.ndarray) -> list[Decoded]:
        out: dict[str, Decoded] = {}
        self._run("zxing", lambda g: zxing_engine(g, try_harder=False), gray, 1.0, out)
        if out:
            return list(out.values())
        if max(gray.shape[:2]) > self.fast_downscale_above:
            s = self.fast_downscale_above / max(gray.shape[:2])
            self._run("zbar-half", zbar_engine, _resize(gray, s), s, out)
            if out:
                return list(out.values())
        self._run("zbar", zbar_engine, gray, 1.0, out)
        return list(out.values())

    def _fallbacks(self, gray: np.ndarray, budget_ms: float) -> list[Decoded]:
        """Preprocessed variants: all through zxing-cpp first (cheap), then through pyzbar
        (slower, but its binariser reads some codes zxing cannot), then OpenCV."""
        deadline = _cpu_now() + budget_ms / 1000.0
        out: dict[str, Decoded] = {}
        base, base_scale = _work_copy(gray, self.fallback_max_side)
        variants: dict[str, Variant | None] = {"gray": (base, 1.0)}

        def variant(name: str) -> Variant | None:
            if name not in variants:
                try:
                    variants[name] = _MAKERS[name](base)
                except Exception:  # noqa: BLE001
                    log.debug("preprocess %s failed", name, exc_info=True)
                    variants[name] = None
            return variants[name]

        plan = [(n, "zxing") for n in ZXING_ORDER] + [
            (n, "zbar") for n in ZBAR_ORDER if not (n == "gray" and base_scale == 1.0)
        ]
        # seconds per megapixel seen so far, per engine: skip steps that would overrun
        cost: dict[str, float] = {}

        def affordable(engine: str, img: np.ndarray) -> bool:
            est = cost.get(engine, 0.0) * img.size / 1e6
            return _cpu_now() + est <= deadline

        def timed(engine: str, label: str, fn, img: np.ndarray, scale: float) -> None:
            t0 = _cpu_now()
            self._run(label, fn, img, scale, out)
            per_mp = (_cpu_now() - t0) / max(img.size / 1e6, 1e-3)
            cost[engine] = max(cost.get(engine, 0.0), per_mp)

        for name, engine in plan:
            if engine == "zbar" and not out and "rectified" not in variants:
                variants["rectified"] = None
                self._rectified(base, base_scale, out, deadline)
            if out or _cpu_now() > deadline:
                break
            v = variant(name)
            if v is None or not affordable(engine, v[0]):
                continue
            img, s = v
            if engine == "zxing":
                timed("zxing", f"{name}+zxing", zxing_engine, img, base_scale * s)
                if not out:
                    timed("zxing", f"{name}+zxing-global", _zxing_global, img, base_scale * s)
            else:
                timed("zbar", f"{name}+zbar", zbar_engine, img, base_scale * s)
        if not out and self.use_opencv and _cpu_now() <= deadline:
            self._run("opencv", opencv_engine, base, base_scale, out)
        return list(out.values())

    def _rectified(
        self, base: np.ndarray, base_scale: float, out: dict[str, Decoded], deadline: float
    ) -> None:
        """Codes zxing located but could not read: cut each out, square it up, retry."""
        try:
            quads = qr_candidates(base)
        except Exception:  # noqa: BLE001
            log.debug("candidate search failed", exc_info=True)
            return
        for quad in quads[:4]:
            crop, inverse = rectify(base, quad)
            for name in RECTIFIED_VARIANTS:
                if out or _cpu_now() > deadline:
                    return
                made = (crop, 1.0) if name == "gray" else _MAKERS[name](crop)
                if made is None:
                    continue
                img = made[0]
                for engine_name, engine in (("zxing", zxing_engine), ("zbar", zbar_engine)):
                    self._run(
                        f"rectified-{name}+{engine_name}",
                        lambda g, e=engine, inv=inverse: _map_back(e(g), inv),
                        img,
                        base_scale,
                        out,
                    )
                    if out:
                        return


def _map_back(hits: list[Hit], inverse: np.ndarray) -> list[Hit]:
    out = []
    for text, poly in hits:
        pts = np.float32(poly).reshape(-1, 1, 2)
        back = cv2.perspectiveTransform(pts, inverse).reshape(-1, 2)
        out.append((text, [(float(x), float(y)) for x, y in back]))
    return out


def _zxing_global(gray: np.ndarray) -> list[Hit]:
    if zxingcpp is None:
        return []
    return zxing_engine(gray, binarizer=zxingcpp.Binarizer.GlobalHistogram)
