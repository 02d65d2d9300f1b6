"""Frame sources: folders, video files, flaky cameras, unreadable images."""

from __future__ import annotations

import logging

import cv2
import numpy as np
import pytest

from checkpoints.frames import (
    CameraUnavailable,
    CaptureSource,
    Frame,
    FrameSourceError,
    ImageSource,
    open_source,
    redact_url,
)


def write_images(folder, names):
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        cv2.imwrite(str(folder / name), np.full((40, 60, 3), i * 20, np.uint8))


def test_folder_source_sorted_frames(tmp_path) -> None:
    write_images(tmp_path / "imgs", ["b.png", "a.png", "c.jpg"])
    (tmp_path / "imgs" / "notes.txt").write_text("not an image")
    frames = list(open_source(images=tmp_path / "imgs"))
    assert [f.source_name.rsplit("/", 1)[-1] for f in frames] == ["a.png", "b.png", "c.jpg"]
    assert [f.index for f in frames] == [0, 1, 2]
    assert all(isinstance(f, Frame) and f.image.shape == (40, 60, 3) for f in frames)


def test_image_files_and_unreadable_reported_by_name(tmp_path, caplog) -> None:
    write_images(tmp_path, ["ok.png"])
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG not really")
    empty = tmp_path / "empty.jpg"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.png"
    src = open_source(images=[broken, tmp_path / "ok.png", empty, missing])
    with caplog.at_level(logging.WARNING):
        frames = list(src)
    assert len(frames) == 1 and frames[0].source_name.endswith("ok.png")
    names = [p for p, _ in src.errors]
    assert names == [str(broken), str(empty), str(missing)]
    assert "broken.png" in caplog.text and "missing.png" in caplog.text
    assert dict(src.errors)[str(missing)] == "file not found"


def test_video_file_source(tmp_path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    assert writer.isOpened()
    for i in range(7):
        writer.write(np.full((48, 64, 3), i * 30, np.uint8))
    writer.release()
    with open_source(video=path) as src:
        frames = list(src)
    assert len(frames) == 7
    assert [f.index for f in frames] == list(range(7))
    assert frames[0].image.shape == (48, 64, 3)
    assert frames[3].timestamp_s == pytest.approx(0.3, abs=0.01)
    assert frames[0].source_name == f"video {path}"


def test_missing_video_file_clear_error(tmp_path) -> None:
    with pytest.raises(FrameSourceError, match="no such video file"):
        list(open_source(video=tmp_path / "nope.mp4"))


class FakeCapture:
    """A camera that delivers `frames_per_session[n]` frames in its n-th session then drops."""

    def __init__(self, frames: int, opened: bool = True):
        self.frames, self.opened, self.released, self.count = frames, opened, False, 0

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def read(self):
        if self.count >= self.frames:
            return False, None
        self.count += 1
        return True, np.full((8, 8, 3), self.count, np.uint8)

    def release(self) -> None:
        self.released = True

    def get(self, prop_id: int) -> float:
        return 0.0


def factory_from(plan):
    """plan: list of ints (frames before disconnect) or None (open fails)."""
    made = []

    def factory(target):
        step = plan[min(len(made), len(plan) - 1)]
        cap = FakeCapture(0, opened=False) if step is None else FakeCapture(step)
        made.append(cap)
        return cap

    factory.made = made
    return factory


def test_camera_disconnects_then_recovers(caplog) -> None:
    sleeps = []
    factory = factory_from([3, None, None, 4])
    src = open_source(
        camera=0,
        capture_factory=factory,
        max_attempts=4,
        backoff_s=0.1,
        sleep=sleeps.append,
        max_frames=7,
    )
    with caplog.at_level(logging.INFO):
        frames = list(src)
    assert len(frames) == 7
    assert [f.index for f in frames] == list(range(7))
    assert src.reconnects == 1
    assert sleeps == [0.1, 0.2]  # exponential backoff between failed reopen attempts
    assert "camera 0" in caplog.text and "disconnected" in caplog.text
    assert all(c.released for c in factory.made)


def test_missing_camera_raises_clear_message() -> None:
    sleeps = []
    src = open_source(
        camera=3,
        capture_factory=factory_from([None]),
        max_attempts=3,
        backoff_s=0.5,
        sleep=sleeps.append,
    )
    with pytest.raises(CameraUnavailable, match=r"camera 3: could not be opened after 3 attempts"):
        list(src)
    assert sleeps == [0.5, 1.0]


def test_camera_lost_for_good_raises() -> None:
    src = open_source(
        camera=1,
        capture_factory=factory_from([2, None]),
        max_attempts=2,
        backoff_s=0,
        sleep=lambda s: None,
    )
    got = []
    with pytest.raises(CameraUnavailable):
        for f in src:
            got.append(f)
    assert len(got) == 2


def test_factory_exception_counts_as_failed_attempt() -> None:
    def boom(target):
        raise RuntimeError("driver exploded")

    src = CaptureSource(
        0,
        "camera 0",
        live=True,
        capture_factory=boom,
        max_attempts=2,
        backoff_s=0,
        sleep=lambda s: None,
    )
    with pytest.raises(CameraUnavailable):
        list(src)


def test_url_source_and_redaction() -> None:
    src = open_source(
        url="rtsp://admin:secret@10.0.0.5:554/live", capture_factory=factory_from([2]), max_frames=2
    )
    assert "secret" not in src.name
    assert len(list(src)) == 2
    assert redact_url("rtsp://admin:secret@cam:554/x") == "rtsp://admin:***@cam:554/x"
    assert redact_url("http://cam/x") == "http://cam/x"


def test_open_source_needs_exactly_one() -> None:
    with pytest.raises(ValueError):
        open_source()
    with pytest.raises(ValueError):
        open_source(camera=0, video="x.mp4")
    assert isinstance(open_source(images="x.png"), ImageSource)


class GlitchyCapture(FakeCapture):
    """Drops every third read but never disconnects."""

    def read(self):
        self.count += 1
        if self.count % 3 == 0:
            return False, None
        return True, np.zeros((4, 4, 3), np.uint8)


def test_single_dropped_frames_do_not_reconnect() -> None:
    made = []

    def factory(target):
        made.append(GlitchyCapture(0))
        return made[-1]

    src = open_source(camera=0, capture_factory=factory, max_frames=10, sleep=lambda s: None)
    assert len(list(src)) == 10
    assert src.reconnects == 0 and len(made) == 1
