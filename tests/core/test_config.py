from pathlib import Path

import pytest

from core.config import ConfigError, load_settings


def test_defaults():
    s = load_settings(environ={})
    assert s.locale == "vi" and s.port == 8501 and s.session_timeout_minutes == 30
    assert s.database == Path("data") / "rapid.duckdb"


def test_toml_then_env_override(tmp_path: Path):
    cfg = tmp_path / "rapid.toml"
    cfg.write_text('port = 9000\nlocale = "en"\n[apps.travel_permit]\nquota_percent = 20\n')
    s = load_settings(
        cfg, environ={"RAPID_PORT": "9100", "RAPID_APPS__TRAVEL_PERMIT__MAX_DAYS": "5"}
    )
    assert s.port == 9100 and s.locale == "en"
    assert s.apps["travel_permit"] == {"quota_percent": 20, "max_days": "5"}


def test_qr_links_follow_the_port_unless_base_url_is_set(tmp_path: Path):
    assert load_settings(environ={}).base_url == "http://localhost:8501"
    assert load_settings(environ={"RAPID_PORT": "8612"}).base_url == "http://localhost:8612"
    cfg = tmp_path / "rapid.toml"
    cfg.write_text('base_url = "https://giay.danang.gov.vn"\n')
    s = load_settings(cfg, environ={"RAPID_PORT": "8612"})
    assert s.base_url == "https://giay.danang.gov.vn" and s.port == 8612


def test_config_from_env_variable(tmp_path: Path):
    cfg = tmp_path / "x.toml"
    cfg.write_text('data_dir = "/srv/rapid"\n')
    assert load_settings(environ={"RAPID_CONFIG": str(cfg)}).data_dir == Path("/srv/rapid")


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("port = [", "not valid TOML"),
        ("port = 0", "port"),
        ("nonsense = 1", "nonsense"),
        ('locale = "fr"', "locale"),
    ],
)
def test_broken_config_is_a_clear_error(tmp_path: Path, text: str, fragment: str):
    cfg = tmp_path / "rapid.toml"
    cfg.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_settings(cfg, environ={})
    assert fragment in str(err.value)


def test_missing_config_file(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_secret_hidden():
    s = load_settings(environ={"RAPID_KEY_PASSPHRASE": "hunter2-very-secret"})
    assert "hunter2" not in str(s.redacted())
    assert s.redacted()["key_passphrase"] == "********"
