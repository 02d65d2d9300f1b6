"""The station's offline bundle: build it on the server, open it on the station.

``build`` wraps ``core.qr.offline.build_bundle`` with the checkpoint identity, zone and rule
configuration. ``open_station_bundle`` verifies the signature (pinned to ``trust.json`` when
given: only the server's own keys sign bundles), the zone and the age, and refuses with a
sentence a checkpoint officer understands. Given the station's state it also refuses a bundle
older than the newest one the station has accepted (an older bundle lacks later revocations),
and remembers the newest.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core import clock
from core.qr.bundle import BundleError
from core.qr.offline import OfflineBundle, build_bundle, load_bundle, load_trust_file
from core.qr.trust import TrustList

from .settings import CheckpointSettings, get_checkpoint_settings
from .stationkey import StationKeyError, StationState
from .verify import Verifier

MAX_BUNDLE_BYTES = 64 * 1024 * 1024


class BundleRefused(Exception):
    """The station must not scan with this bundle; ``str()`` says why."""


def clean_zone(zone: Any) -> str:
    """A zone is a ward code string (digits)."""
    text = str(zone or "").strip()
    if not text or not text.isdigit() or len(text) > 10:
        raise ValueError(f"zone must be a ward code (digits), got {zone!r}")
    return str(int(text))


def build(
    zone: str,
    *,
    checkpoint: dict[str, Any] | None = None,
    settings: CheckpointSettings | None = None,
    store: Any = None,
) -> bytes:
    """Signed bundle bytes for one zone (and optionally one checkpoint's identity)."""
    zone = clean_zone(zone)
    s = settings or get_checkpoint_settings()
    if checkpoint is not None and str(checkpoint.get("zone")) != zone:
        raise ValueError(
            f"checkpoint {checkpoint.get('id')} is in zone {checkpoint.get('zone')}, not {zone}"
        )
    rules = {
        "warn_age_hours": s.warn_age_hours,
        "max_age_hours": s.max_age_hours,
        "leeway_seconds": s.leeway_seconds,
        "throttle_seconds": s.throttle_seconds,
    }
    rules["token_types"] = token_types()
    rules["wards"] = zone_wards(zone)
    return build_bundle(zone=zone, checkpoint=checkpoint or {}, rules=rules, store=store)


def _texts(key: str) -> dict[str, str]:
    from core.i18n import t_in

    return {lang: t_in(lang, key) for lang in ("vi", "en")}


def token_types(registry: Any = None) -> list[dict[str, Any]]:
    """Every token type's prefix, words and declared rule, for the phone scanner: a type whose
    rule is data (``core.qr.rulesets.RuleSet``, or a definition app's rules) is checked on the
    phone as on the server; a type with a Python-only rule is shown as ``NO_RULE`` offline."""
    from core.qr.rulesets import RuleSet, rule_json
    from core.registry import get_registry

    reg = registry or get_registry()
    out = []
    for tt in reg.token_types():
        rule = tt.rule
        entry: dict[str, Any] = {
            "type": tt.type_id,
            "prefix": tt.prefix,
            "title": _texts(tt.title_key),
            "reasons": {code: _texts(tt.reason_key(code)) for code in tt.reasons},
            "field_names": {name: _texts(tt.field_key(name)) for name in tt.fields},
            "ruleset": None,
            "labels": {},
        }
        if isinstance(rule, RuleSet):
            entry["ruleset"] = rule.to_json()
            for f in rule.fields:
                for key in f.labels.values():
                    entry["labels"][key] = _texts(key)
        elif rule is not None and isinstance(getattr(rule, "rules", None), tuple):
            entry["ruleset"] = {
                "type": tt.type_id,
                "claims": {},
                "optional": [],
                "closed": False,
                "rules": [rule_json(r) for r in rule.rules],
                "notes": [],
                "valid_reason": "VALID",
                "shape_reason": "BAD_CLAIMS",
                "once": bool(getattr(rule, "once", False)),
                "fields": [
                    {"name": name, "claim": name, "format": "text", "labels": {}}
                    for name in tt.fields
                    if name != "valid_until"
                ],
            }
        out.append(entry)
    return out


def zone_wards(zone: str) -> dict[str, str]:
    """Ward names of the zone's province (how permits name their wards on the phone)."""
    from core import geo

    province = geo.ward_province(int(zone))
    if province is None:
        return {}
    return {str(w.code): w.name for w in geo.wards(province)}


@dataclass
class StationBundle:
    """A verified bundle ready for scanning, with the warnings to show the officer."""

    bundle: OfflineBundle
    zone: str
    checkpoint_id: str
    warnings: list[str] = field(default_factory=list)
    leeway: timedelta = timedelta(0)
    throttle_seconds: float = 3.0
    max_age_hours: float = 72.0

    def verifier(self) -> Verifier:
        return Verifier(
            self.bundle.trust,
            self.bundle.revoked,
            zone=self.zone,
            checkpoint_id=self.checkpoint_id,
            leeway=self.leeway,
        )


def _num(value: Any, default: float) -> float:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return default
    return out if math.isfinite(out) and out > 0 else default


def parse_bundle(
    data: bytes,
    *,
    anchors: Any = None,
    station_zone: str | None = None,
    now: datetime | None = None,
    warn_age_hours: float | None = None,
    max_age_hours: float | None = None,
    state: StationState | None = None,
) -> StationBundle:
    """Verify bundle bytes for a station; BundleRefused with the reason otherwise. With the
    station's ``state``, a bundle older than the newest accepted one is refused, and an
    accepted bundle becomes the newest."""
    if not isinstance(data, bytes | bytearray) or not data:
        raise BundleRefused("the bundle file is empty")
    if len(data) > MAX_BUNDLE_BYTES:
        raise BundleRefused("the bundle file is too large to be a checkpoint bundle")
    try:
        b = load_bundle(bytes(data), anchors)
    except BundleError as exc:
        raise BundleRefused(f"the bundle is not valid: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any malformed content is a refusal, not a crash
        raise BundleRefused(f"the bundle is not valid: {type(exc).__name__}") from None
    zone = b.zone
    try:
        zone = clean_zone(zone)
    except ValueError:
        raise BundleRefused("the bundle names no valid zone") from None
    if station_zone is not None and str(station_zone).strip():
        try:
            mine = clean_zone(station_zone)
        except ValueError as exc:
            raise BundleRefused(str(exc)) from None
        if mine != zone:
            raise BundleRefused(
                f"the bundle is for zone {zone}, but this station is configured for zone {mine}"
            )
    rules = b.rules if isinstance(b.rules, dict) else {}
    warn_h = warn_age_hours or _num(rules.get("warn_age_hours"), 12.0)
    max_h = max_age_hours or _num(rules.get("max_age_hours"), 72.0)
    now = now or clock.now()
    age = b.age_hours(now)
    warnings: list[str] = []
    if age < -1:
        raise BundleRefused(
            f"the bundle was created {-age:.1f} h in the future: check this station's clock"
        )
    if age > max_h:
        raise BundleRefused(
            f"the bundle is {age:.1f} h old, past the {max_h:g} h limit: revocations may be"
            " missing. Fetch a new bundle (rapid checkpoint bundle) before scanning."
        )
    if age > warn_h:
        warnings.append(f"the bundle is {age:.1f} h old (over {warn_h:g} h): get a fresh one soon")
    if not b.pinned:
        warnings.append("no pinned trust file (--trust): the bundle is checked for integrity only")
    if state is not None:
        _check_sequence(b, state)
    cp = b.checkpoint if isinstance(b.checkpoint, dict) else {}
    return StationBundle(
        bundle=b,
        zone=zone,
        checkpoint_id=str(cp.get("id") or f"zone-{zone}")[:64],
        warnings=warnings,
        leeway=timedelta(seconds=_num(rules.get("leeway_seconds"), 60.0)),
        throttle_seconds=_num(rules.get("throttle_seconds"), 3.0),
        max_age_hours=max_h,
    )


def _check_sequence(b: OfflineBundle, state: StationState) -> None:
    try:
        newest = state.bundle_seq()
        if b.seq < newest:
            raise BundleRefused(
                "this bundle is older than one this station has already used (built"
                f" {clock.fmt_local(b.created_at)}): it may miss later revocations."
                " Fetch the newest bundle (rapid checkpoint bundle) before scanning."
            )
        state.raise_bundle_seq(b.seq)
    except StationKeyError as exc:
        raise BundleRefused(str(exc)) from None


def open_station_bundle(
    path: Path,
    *,
    trust_file: Path | None = None,
    anchors: TrustList | None = None,
    station_zone: str | None = None,
    now: datetime | None = None,
    warn_age_hours: float | None = None,
    max_age_hours: float | None = None,
    state: StationState | None = None,
) -> StationBundle:
    """Read and verify a bundle file; BundleRefused with a clear reason otherwise.

    The signer must be one of the server's own keys in ``trust_file`` or ``anchors`` when
    given (pinned); see ``parse_bundle`` for ``state``."""
    if trust_file is not None:
        try:
            anchors = load_trust_file(Path(trust_file))
        except BundleError as exc:
            raise BundleRefused(str(exc)) from None
    try:
        p = Path(path)
        if p.stat().st_size > MAX_BUNDLE_BYTES:
            raise BundleRefused("the bundle file is too large to be a checkpoint bundle")
        data = p.read_bytes()
    except OSError as exc:
        raise BundleRefused(f"cannot read the bundle {path}: {exc.strerror or exc}") from None
    return parse_bundle(
        data,
        anchors=anchors,
        station_zone=station_zone,
        now=now,
        warn_age_hours=warn_age_hours,
        max_age_hours=max_age_hours,
        state=state,
    )
