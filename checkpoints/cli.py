"""``rapid checkpoint ...`` (add, list, bundle, station-key, register-station, scan, upload)
and ``rapid qr decode``.

Setting up a station: on the server ``rapid checkpoint add`` (the checkpoint), ``rapid
checkpoint bundle`` and ``rapid keys export-trust`` (what the station pins); on the station
``rapid checkpoint station-key --out station.pub``; on the server ``rapid checkpoint
register-station CHECKPOINT station.pub --staff NAME``. Then the station scans (``scan``, its
log signed line by line with its key) and the server takes the log (``upload``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from core import clock
from core.auth import operator, os_user

LIVE_BUDGET_MS = 120.0
"""CPU budget for decode fallbacks per live frame."""


def _cli_error(message: str) -> click.ClickException:
    from core.cli.main import CliError

    return CliError(message)


@click.group("checkpoint")
def checkpoint_group() -> None:
    """Checkpoint scanner: offline bundles, scanning, scan log upload, checkpoints."""


@checkpoint_group.command("add")
@click.argument("checkpoint_id")
@click.option("--name", required=True, help="Name shown on the dashboard.")
@click.option("--zone", required=True, help="Ward code of the checkpoint.")
@click.option("--lat", "latitude", type=float, help="Latitude (for travel-time anomalies).")
@click.option("--lon", "longitude", type=float, help="Longitude.")
def cp_add(
    checkpoint_id: str, name: str, zone: str, latitude: float | None, longitude: float | None
) -> None:
    """Register a checkpoint identity (id, name, zone, coordinates)."""
    from core.cli.main import open_store

    from . import service

    with open_store() as store:
        try:
            cp = service.add_checkpoint(
                operator(), checkpoint_id, name, zone, latitude, longitude, store=store
            )
        except service.CheckpointError as exc:
            raise _cli_error(str(exc)) from exc
    click.echo(f"added checkpoint {cp['id']} ({cp['name']}, zone {cp['zone']})")


@checkpoint_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
def cp_list(as_json: bool) -> None:
    """List checkpoint identities."""
    from core.cli.main import emit, open_store

    from . import service

    with open_store() as store:
        rows = service.list_checkpoints(operator(), store=store)
    emit(rows, as_json)


@checkpoint_group.command("bundle")
@click.option("--zone", required=True, help="Ward code the station works in.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--checkpoint", "checkpoint_id", help="Checkpoint identity to embed.")
def cp_bundle(zone: str, out: Path, checkpoint_id: str | None) -> None:
    """Export the signed offline bundle (trust list, revocations, rules, identity, zone)."""
    from core.cli.main import open_store
    from core.qr import service as qr

    from . import bundle, service

    with open_store() as store:
        cp = None
        if checkpoint_id:
            cp = service.get_checkpoint(operator(), checkpoint_id, store=store)
            if cp is None:
                raise _cli_error(
                    f"no checkpoint {checkpoint_id}: add it with `rapid checkpoint add`"
                )
        try:
            data = bundle.build(zone, checkpoint=cp, store=store)
        except ValueError as exc:
            raise _cli_error(str(exc)) from exc
        n_revoked = len(qr.revocation_rows(store=store))
    tmp = out.with_name(out.name + ".tmp")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, out)
    except OSError as exc:
        raise _cli_error(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(
        f"bundle for zone {bundle.clean_zone(zone)}"
        + (f", checkpoint {checkpoint_id}" if checkpoint_id else "")
        + f": {n_revoked} revocation(s), {len(data)} bytes -> {out}"
    )


def _default_log() -> Path:
    from core.config import get_settings

    return Path(get_settings().data_dir) / "checkpoint_scans.jsonl"


@checkpoint_group.command("station-key")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the public key to this file (give it to the server's administrator).",
)
def cp_station_key(out: Path | None) -> None:
    """This station's public key (made on first use): the server registers it so that it
    accepts this station's scan logs."""
    from .stationkey import StationKeyError, load_or_create

    try:
        key, created = load_or_create()
    except StationKeyError as exc:
        raise _cli_error(str(exc)) from exc
    pem = key.public_pem()
    if out is not None:
        try:
            out.write_text(pem, encoding="ascii")
        except OSError as exc:
            raise _cli_error(f"cannot write {out}: {exc.strerror or exc}") from exc
    click.echo(pem, nl=False)
    click.echo(
        f"station {key.kid}{' (new key)' if created else ''}; on the server: rapid checkpoint"
        f" register-station CHECKPOINT {out or 'station.pub'} --staff NAME",
        err=True,
    )


@checkpoint_group.command("register-station")
@click.argument("checkpoint_id")
@click.argument("public_key", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--staff", required=True, help="Whose scans these are (shown on the dashboard).")
def cp_register_station(checkpoint_id: str, public_key: Path, staff: str) -> None:
    """Accept scan logs signed by this station key for CHECKPOINT_ID."""
    from core.cli.main import open_store

    from . import service

    try:
        text = public_key.read_bytes()[:8192]
    except OSError as exc:
        raise _cli_error(f"cannot read {public_key}: {exc.strerror or exc}") from exc
    with open_store() as store:
        try:
            rec = service.register_station(operator(), checkpoint_id, text, staff, store=store)
        except service.CheckpointError as exc:
            raise _cli_error(str(exc)) from exc
    click.echo(f"station {rec['kid']} registered for {rec['checkpoint_id']} ({rec['staff']})")


COLOURS = {"VALID": "green", "INVALID": "red", "WARN": "yellow"}
MARKS = {"VALID": "✔", "INVALID": "✘", "WARN": "!"}


def human_line(ev) -> str:
    v = ev.verdict
    head = f"  {MARKS[v.verdict]} {v.verdict}  {v.reason}  [{v.token_type}]  "
    big = click.style(head.ljust(48), fg="white", bg=COLOURS[v.verdict], bold=True)
    shown = "  ".join(f"{k}: {val}" for k, val in v.fields.items() if val)
    return f"{big} {clock.fmt_local(ev.at, '%H:%M:%S')}  {shown}".rstrip()


@checkpoint_group.command("scan")
@click.option("--camera", type=int, help="Webcam index.")
@click.option("--video", type=click.Path(dir_okay=False, path_type=Path), help="Video file.")
@click.option("--images", type=click.Path(path_type=Path), help="Image file or folder.")
@click.option("--url", help="Stream URL (rtsp/http).")
@click.option(
    "--bundle",
    "bundle_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Offline bundle.",
)
@click.option(
    "--trust",
    "trust_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pinned trust list (rapid keys export-trust).",
)
@click.option(
    "--allow-unpinned",
    is_flag=True,
    help="Accept a bundle without a pinned trust list (integrity only; not for production).",
)
@click.option(
    "--zone",
    envvar="RAPID_CHECKPOINT_ZONE",
    help="This station's zone; a bundle for another zone is refused.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per verdict.")
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Station scan log (signed JSON lines). Default: DATA_DIR/checkpoint_scans.jsonl",
)
@click.option(
    "--staff",
    help="Officer on duty, in this station's log (default: the OS user); the server shows"
    " the name registered for the station.",
)
@click.option("--warn-age", type=float, help="Warn when the bundle is older (hours, default 12).")
@click.option("--max-age", type=float, help="Refuse when the bundle is older (hours, default 72).")
def cp_scan(
    camera,
    video,
    images,
    url,
    bundle_path,
    trust_file,
    allow_unpinned,
    zone,
    as_json,
    log_path,
    staff,
    warn_age,
    max_age,
) -> None:
    """Scan codes from a camera, video or images and show one verdict per code."""
    from .bundle import BundleRefused
    from .decoder import Decoder
    from .frames import FrameSourceError, open_source
    from .scanlog import LogError, StationLog
    from .station import Station
    from .stationkey import StationKeyError, load_or_create

    given = [x for x in (camera, video, images, url) if x is not None]
    if len(given) != 1:
        raise _cli_error("give exactly one of --camera N, --video FILE, --images DIR, --url URL")
    try:
        sb = _open_bundle(bundle_path, trust_file, zone, warn_age, max_age, allow_unpinned)
    except BundleRefused as exc:
        raise _cli_error(f"refusing to scan: {exc}") from exc
    for w in sb.warnings:
        click.echo(click.style(f"warning: {w}", fg="yellow"), err=True)
    try:
        key, created = load_or_create()
        scan_log = StationLog(log_path or _default_log(), key)
    except (LogError, StationKeyError) as exc:
        raise _cli_error(str(exc)) from exc
    if created:
        click.echo(
            f"this station's key {key.kid} was made: register it on the server (rapid checkpoint"
            " station-key --out station.pub, then register-station) before uploading its log",
            err=True,
        )
    staff = (staff or os_user("staff"))[:100]
    live = camera is not None or url is not None
    station = Station(
        sb.verifier(),
        checkpoint_id=sb.checkpoint_id,
        staff=staff,
        scan_log=scan_log,
        throttle_seconds=sb.throttle_seconds,
        # A live feed offers the next frame in ~33 ms: a short fallback budget keeps the
        # picture current; files and images get the full budget since no frame comes again.
        decoder=Decoder(budget_ms=LIVE_BUDGET_MS) if live else None,
    )

    def check_alive() -> None:
        age = sb.bundle.age_hours()
        if age > sb.max_age_hours:
            raise BundleRefused(
                f"the bundle became {age:.1f} h old during the shift; fetch a new one"
            )

    def on_event(ev) -> None:
        if as_json:
            click.echo(json.dumps(ev.to_json(sb.checkpoint_id), ensure_ascii=False))
        else:
            click.echo(human_line(ev))

    def on_empty(frame) -> None:
        click.echo(f"{frame.source_name}: no QR code found", err=True)

    error = None
    summary = station.summary
    try:
        source = open_source(camera=camera, video=video, url=url, images=images)
        with source:
            station.run(
                source,
                on_event,
                still_images=images is not None,
                on_empty=on_empty,
                check_alive=check_alive,
            )
        for path, reason in getattr(source, "errors", []):
            click.echo(f"{path}: skipped, {reason}", err=True)
    except KeyboardInterrupt:
        summary.interrupted = True
    except (FrameSourceError, BundleRefused, ValueError) as exc:
        error = str(exc)
    finally:
        scan_log.close()
    s = summary.to_json()
    if as_json:
        click.echo(json.dumps(s, ensure_ascii=False))
    else:
        click.echo(
            f"{s['scans']} scan(s) in {s['frames']} frame(s): {s['valid']} valid,"
            f" {s['invalid']} invalid, {s['warn']} warning(s); log: {scan_log.path}",
            err=True,
        )
    if error:
        raise _cli_error(error)


def _local_anchors():
    """This machine's own signing keys when it has some (a station on the server itself)."""
    from core.qr import service as qr
    from core.qr.keys import META

    ks = qr.keystore()
    if not (ks.dir / META).is_file():
        return None
    return qr.trust_list()


def _open_bundle(path, trust_file, zone, warn_age, max_age, allow_unpinned=False):
    from .bundle import BundleRefused, open_station_bundle
    from .stationkey import StationState

    anchors = None
    if trust_file is None:
        anchors = _local_anchors()
        if anchors is None and not allow_unpinned:
            raise BundleRefused(
                "no pinned trust list: give --trust trust.json (from `rapid keys export-trust`"
                " on the server), or --allow-unpinned to check the bundle's integrity only"
            )
    return open_station_bundle(
        path,
        trust_file=trust_file,
        anchors=anchors,
        station_zone=zone,
        warn_age_hours=warn_age,
        max_age_hours=max_age,
        state=StationState(),
    )


@checkpoint_group.command("upload")
@click.argument("logfile", type=click.Path(dir_okay=False, path_type=Path))
def cp_upload(logfile: Path) -> None:
    """Merge a registered station's signed scan log into the central store (idempotent)."""
    from core.cli.main import open_store

    from . import service
    from .scanlog import LogError

    with open_store() as store:
        try:  # the whole log is checked before anything is written
            added, skipped = service.upload_log(operator(), logfile, store=store)
        except LogError as exc:
            raise _cli_error(f"upload refused, nothing written: {exc}") from exc
    click.echo(f"{added} scan(s) added, {skipped} already present")


def register(cli: click.Group) -> None:
    """Add ``rapid checkpoint`` and ``rapid qr decode`` (imported when it runs: OpenCV)."""
    from core.cli.main import add_lazy_command

    if "checkpoint" not in cli.commands:
        cli.add_command(checkpoint_group)
    qr = cli.commands.get("qr")
    if isinstance(qr, click.Group):
        add_lazy_command(
            qr, "decode", "checkpoints.decode_cli:decode", "Decode the QR codes in images."
        )
