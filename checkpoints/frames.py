"""Frame sources for the checkpoint scanner: webcam, video file, stream URL, image files.

Every source is an iterable of :class:`Frame` (BGR image, index, timestamp, source name), so
the scanner loop does not care where pixels come from::

    with open_source(camera=0) as frames:
        for frame in frames:
            ...

Live sources (camera, URL) survive a missing or unplugged camera: they log a clear message
and retry with exponential backoff, raising :class:`CameraUnavailable` only when the retries
are exhausted. Image sources skip unreadable files, log them by name and list them in
``errors``.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import cv2
import numpy as np

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff", ".gif", ".pgm", ".ppm"}
)


@dataclass(frozen=True)
class Frame:
    """One BGR image from a source. ``timestamp_s`` is seconds since the source started
    (video position for files, monotonic time for live sources, 0.0 for still images)."""

    image: np.ndarray
    index: int
    timestamp_s: float
    source_name: str


class FrameSourceError(RuntimeError):
    """A source could not be opened or read."""


class CameraUnavailable(FrameSourceError):
    """A live source (camera or stream) could not be (re)opened after all retries."""


class Capture(Protocol):
    """What we use of ``cv2.VideoCapture`` (tests inject fakes with the same methods)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name
    def read(self) -> tuple[bool, np.ndarray | None]: ...
    def release(self) -> None: ...
    def get(self, prop_id: int) -> float: ...


CaptureFactory = Callable[[Any], Capture]


class FrameSource(ABC):
    """Base class: iterate for frames, ``close()`` (or use ``with``) to release the device."""

    name: str = "source"

    @abstractmethod
    def __iter__(self) -> Iterator[Frame]:
        """Yield the source's frames in order."""

    def close(self) -> None:  # noqa: B027 - optional hook: sources without a device keep it
        """Release the underlying device or file."""

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class CaptureSource(FrameSource):
    """Frames from ``cv2.VideoCapture``: a camera index, a video file or a stream URL.

    ``live=True`` (camera, URL): a failed open or a failed read is treated as a disconnect;
    the source releases the device, waits ``backoff_s`` (doubling up to ``backoff_max_s``)
    and reopens, up to ``max_attempts`` consecutive failures, then raises
    :class:`CameraUnavailable`. ``max_read_failures`` consecutive failed reads count as a
    disconnect (single dropped frames are skipped). ``live=False`` (file): a failed read is
    the end of the file.
    """

    def __init__(
        self,
        target: int | str,
        name: str,
        *,
        live: bool,
        capture_factory: CaptureFactory | None = None,
        max_attempts: int = 5,
        backoff_s: float = 0.5,
        backoff_max_s: float = 8.0,
        max_frames: int | None = None,
        max_read_failures: int = 3,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.target = target
        self.name = name
        self.live = live
        self.capture_factory: CaptureFactory = capture_factory or cv2.VideoCapture
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s
        self.max_frames = max_frames
        self.max_read_failures = max(1, max_read_failures)
        self.reconnects = 0
        self._sleep = sleep
        self._clock = clock
        self._cap: Capture | None = None

    # device handling ---------------------------------------------------------------------

    def _try_open(self) -> Capture | None:
        try:
            cap = self.capture_factory(self.target)
        except Exception as exc:  # noqa: BLE001 - a driver error is just a failed attempt
            log.warning("%s: could not open (%s)", self.name, exc)
            return None
        try:
            opened = bool(cap.isOpened())
        except Exception:  # noqa: BLE001
            opened = False
        if not opened:
            self._release(cap)
            return None
        return cap

    @staticmethod
    def _release(cap: Capture | None) -> None:
        if cap is None:
            return
        try:
            cap.release()
        except Exception:  # noqa: BLE001
            log.debug("release failed", exc_info=True)

    def _open_with_retry(self, reason: str) -> Capture:
        delay = self.backoff_s
        for attempt in range(1, self.max_attempts + 1):
            cap = self._try_open()
            if cap is not None:
                if attempt > 1 or reason != "open":
                    log.info("%s: connected (attempt %d)", self.name, attempt)
                return cap
            if attempt == self.max_attempts:
                break
            log.warning(
                "%s: %s; retrying in %.1fs (attempt %d/%d)",
                self.name,
                "not available" if reason == "open" else "disconnected",
                delay,
                attempt,
                self.max_attempts,
            )
            self._sleep(delay)
            delay = min(delay * 2, self.backoff_max_s)
        hint = (
            "check that it is plugged in, not used by another program, and that the index is right"
            if isinstance(self.target, int)
            else "check the address and the network"
        )
        msg = f"{self.name}: could not be opened after {self.max_attempts} attempts; {hint}"
        log.error(msg)
        raise CameraUnavailable(msg)

    def _open_file(self) -> Capture:
        path = Path(str(self.target))
        if not path.is_file():
            raise FrameSourceError(f"{self.name}: no such video file")
        cap = self._try_open()
        if cap is None:
            raise FrameSourceError(f"{self.name}: cannot be read as a video (codec or format?)")
        return cap

    # iteration -------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Frame]:
        self._cap = self._open_with_retry("open") if self.live else self._open_file()
        fps = 0.0
        if not self.live:
            try:
                fps = float(self._cap.get(cv2.CAP_PROP_FPS) or 0.0)
            except Exception:  # noqa: BLE001
                fps = 0.0
        start = self._clock()
        index = 0
        failures = 0
        try:
            while self.max_frames is None or index < self.max_frames:
                try:
                    ok, image = self._cap.read()
                except Exception as exc:  # noqa: BLE001 - drivers raise on unplug
                    log.warning("%s: read failed (%s)", self.name, exc)
                    ok, image = False, None
                if not ok or image is None or getattr(image, "size", 0) == 0:
                    if not self.live:
                        return  # end of file
                    failures += 1
                    if failures < self.max_read_failures:
                        continue  # a dropped frame; webcams do that
                    failures = 0
                    log.warning("%s: lost the camera after frame %d", self.name, index)
                    self._release(self._cap)
                    self._cap = None
                    self.reconnects += 1
                    self._cap = self._open_with_retry("reconnect")
                    continue
                failures = 0
                if self.live:
                    ts = self._clock() - start
                else:
                    ts = index / fps if fps > 0 else float(index)
                yield Frame(image=image, index=index, timestamp_s=ts, source_name=self.name)
                index += 1
        finally:
            self.close()

    def close(self) -> None:  # noqa: B027 - optional hook: sources without a device keep it
        self._release(self._cap)
        self._cap = None


class ImageSource(FrameSource):
    """Frames from image files and/or folders of images (folder contents sorted by name).

    Unreadable or missing files are logged by name, collected in ``errors`` as
    ``(path, reason)`` and skipped.
    """

    def __init__(self, paths: str | Path | Sequence[str | Path], name: str | None = None) -> None:
        if isinstance(paths, (str, Path)):
            paths = [paths]
        self.paths = [Path(p) for p in paths]
        self.name = name or ", ".join(str(p) for p in self.paths[:3]) + (
            ", ..." if len(self.paths) > 3 else ""
        )
        self.errors: list[tuple[str, str]] = []

    def files(self) -> list[Path]:
        """The image files this source will read, in order."""
        out: list[Path] = []
        for p in self.paths:
            if p.is_dir():
                out.extend(
                    sorted(
                        (
                            c
                            for c in p.iterdir()
                            if c.is_file() and c.suffix.lower() in IMAGE_SUFFIXES
                        ),
                        key=lambda c: c.name,
                    )
                )
            else:
                out.append(p)
        return out

    def __iter__(self) -> Iterator[Frame]:
        index = 0
        for path in self.files():
            image, reason = read_image(path)
            if image is None:
                self.errors.append((str(path), reason))
                log.warning("%s: skipped, %s", path, reason)
                continue
            yield Frame(image=image, index=index, timestamp_s=0.0, source_name=str(path))
            index += 1


def read_image(path: str | Path) -> tuple[np.ndarray | None, str]:
    """Load an image as BGR. Returns ``(image, "")`` or ``(None, reason)``; never raises."""
    p = Path(path)
    if not p.exists():
        return None, "file not found"
    if not p.is_file():
        return None, "not a file"
    try:
        data = np.fromfile(str(p), dtype=np.uint8)  # handles non-ASCII paths on every OS
    except OSError as exc:
        return None, f"cannot read file ({exc.strerror or exc})"
    if data.size == 0:
        return None, "empty file"
    image = cv2.imdecode(data, cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        return None, "not a readable image"
    return image, ""


def redact_url(url: str) -> str:
    """The URL without a password, for logs and messages (rtsp://user:pw@host -> user:***)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username or ''}:***@{parts.hostname or ''}"
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit(parts._replace(netloc=netloc))


def open_source(
    camera: int | None = None,
    video: str | Path | None = None,
    url: str | None = None,
    images: str | Path | Iterable[str | Path] | None = None,
    **options: Any,
) -> FrameSource:
    """Open exactly one frame source.

    ``camera``: webcam index; ``video``: file path; ``url``: stream address (rtsp/http);
    ``images``: a file, a folder, or a list of them. ``options`` go to
    :class:`CaptureSource` (``capture_factory``, ``max_attempts``, ``backoff_s``, ...).
    """
    given = [
        k
        for k, v in (("camera", camera), ("video", video), ("url", url), ("images", images))
        if v is not None
    ]
    if len(given) != 1:
        raise ValueError(
            f"open_source needs exactly one of camera/video/url/images, got {given or 'none'}"
        )
    if camera is not None:
        return CaptureSource(int(camera), f"camera {int(camera)}", live=True, **options)
    if url is not None:
        return CaptureSource(str(url), f"stream {redact_url(str(url))}", live=True, **options)
    if video is not None:
        return CaptureSource(str(video), f"video {video}", live=False, **options)
    if isinstance(images, (str, Path)):
        return ImageSource([images], **options)
    return ImageSource(list(images), **options)
