"""Every service entry point of the checkpoint scanner with every role (the core test kit's
authorization matrix): scanning for checkpoint staff and admins, the dashboard's data for the
same, checkpoint identities and stations for admins."""

from __future__ import annotations

import pandas as pd

from checkpoints import service
from checkpoints.scanlog import LogError
from checkpoints.stationkey import load_or_create
from checkpoints.verify import ScanVerdict
from core.testkit import authorization_matrix

from .helpers import ZONE_A

STAFF = {"checkpoint", "admin"}
VIEWERS = STAFF | {"approver", "health_officer"}  # they watch the dashboard


def test_every_entry_point_for_every_role(store, tmp_path):
    verdict = ScanVerdict("VALID", "VALID", "TP", "0" * 64, token_id="P123")
    station = load_or_create(tmp_path / "station")[0].public_pem()
    authorization_matrix(
        "checkpoints",
        {
            "add_checkpoint": (
                lambda p: service.add_checkpoint(p, "cp-x", "Chốt X", ZONE_A, 16.0, 108.2),
                {"admin"},
            ),
            "list_checkpoints": (lambda p: service.list_checkpoints(p), VIEWERS),
            "get_checkpoint": (lambda p: service.get_checkpoint(p, "cp-x"), VIEWERS),
            "register_station": (
                lambda p: service.register_station(p, "cp-x", station, "Lan"),
                {"admin"},
            ),
            "retire_station": (lambda p: service.retire_station(p, "0" * 16), {"admin"}),
            "list_stations": (lambda p: service.list_stations(p), VIEWERS),
            "record_scan": (lambda p: service.record_scan(p, verdict, "cp-x"), STAFF),
            "upload_frame": (lambda p: service.upload_frame(p, pd.DataFrame()), STAFF),
            "upload_log": (lambda p: service.upload_log(p, tmp_path / "none.jsonl"), STAFF),
            "recent_scans": (lambda p: service.recent_scans(p), VIEWERS),
            "scans_frame": (lambda p: service.scans_frame(p), VIEWERS),
            "per_hour": (lambda p: service.per_hour(p), VIEWERS),
            "rejection_reasons": (lambda p: service.rejection_reasons(p), VIEWERS),
            "find_anomalies": (lambda p: service.find_anomalies(p), VIEWERS),
            "stats_for": (lambda p: service.stats_for(p), VIEWERS),
            "scan_texts": (lambda p: service.scan_texts(p, ["XX9:nope"]), STAFF),
            "scan_image": (lambda p: service.scan_image(p, b"not an image"), STAFF),
            "register_phone": (lambda p: service.register_phone(p, "cp-x", station), STAFF),
            "upload_phone_log": (lambda p: service.upload_phone_log(p, b"not a log\n"), STAFF),
            "phone_bundle": (lambda p: service.phone_bundle(p, "cp-none"), STAFF),
        },
        errors=(service.CheckpointError, LogError),
    )
