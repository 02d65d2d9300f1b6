"""Manifest, messages, checkpoint rule and configurable settings."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import apps.home_isolation as pkg
from apps.home_isolation import app, service
from apps.home_isolation.messages import MESSAGES
from apps.home_isolation.models import IsolationSettings
from apps.home_isolation.rules import checkpoint_rule, triage
from core.registry import CheckContext, validate_manifest
from tests.apps.home_isolation.conftest import f0_form, good_report, link_token


def test_manifest_valid():
    assert validate_manifest(app) == []
    assert app.depends_on == ("health_declaration",)
    assert [t.prefix for t in app.token_types] == ["HI1:"]
    assert app.settings_model is IsolationSettings


def test_every_message_key_exists_in_both_languages():
    for key, texts in MESSAGES.items():
        assert set(texts) == {"vi", "en"} and all(texts.values()), key
    used = set()
    for path in Path(pkg.__file__).parent.glob("*.py"):
        used |= set(re.findall(r"""\bt\(\s*["'](hi\.[a-z0-9_.]+)["']""", path.read_text()))
        used |= set(re.findall(r"""["'](hi\.(?:err|link)\.[a-z0-9_]+)["']""", path.read_text()))
    missing = sorted(k for k in used if k not in MESSAGES and not k.endswith("."))
    assert not missing, missing


def test_no_message_goes_unused():
    """Labels, hints, choices and input messages live in the forms: the catalog keeps only
    what the code names (literally, or by a prefix such as ``"hi.level." + level``; the
    token's words are named by the manifest's token type)."""
    named = set()
    for path in Path(pkg.__file__).parent.glob("*.py"):
        if path.name != "messages.py":
            named |= set(re.findall(r"""["'](hi\.[A-Za-z0-9_.]*)""", path.read_text()))
    prefixes = tuple(n for n in named if n.endswith("."))
    unused = [
        key
        for key in MESSAGES
        if key not in named and not key.startswith(prefixes) and not key.startswith("hi.token")
    ]
    assert unused == []


def test_checkpoint_rule_refuses_isolating_people():
    ctx = CheckContext(now=datetime(2021, 9, 10, tzinfo=UTC))
    result = checkpoint_rule({"e": "HI0123456789", "r": "F0"}, ctx)
    assert result.verdict == "INVALID" and result.reason == "ISOLATING"
    assert checkpoint_rule({"x": 1}, ctx).verdict == "INVALID"


def test_rule_table_is_configurable():
    strict = IsolationSettings(
        rules=[{"field": "spo2", "op": "<=", "value": 96, "level": "red", "code": "spo2_low"}],
        elderly_age=80,
    )
    out = triage({"spo2": 96}, [], age=70, chronic=[], settings=strict)
    assert out.level == "red"
    assert triage({"spo2": 97}, [], age=70, chronic=[], settings=strict).level == "green"


def test_settings_from_config(store, officer, settings):
    settings.apps["home_isolation"] = {"f0_days": 10, "max_reports_per_day": 1}
    f0 = service.enroll_f0(officer, f0_form())
    assert (f0["isolation_end"] - f0["test_date"]).days == 10
    token = link_token(officer, f0["id"])
    service.submit_report(None, token, good_report())
    try:  # another report (the same one again would be the same report)
        service.submit_report(None, token, good_report(pulse="90"))
    except service.IsolationError as exc:
        assert exc.key == "hi.err.too_many"
    else:  # pragma: no cover
        raise AssertionError("the configured daily limit was not applied")


def test_stats_keys(store, officer):
    service.enroll_f0(officer, f0_form())
    stats = service.stats(store)
    assert stats["active_f0"] == 1 and stats["active_f1"] == 0
    assert {"open_alerts", "open_alerts_red", "open_alerts_missed"} <= set(stats)
