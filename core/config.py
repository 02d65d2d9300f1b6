"""Effective configuration: built-in defaults, then a TOML file, then ``RAPID_*`` variables.

The TOML file is ``$RAPID_CONFIG`` if set, else ``rapid.toml`` in the working directory if it
exists. App settings live under ``[apps.<app_id>]`` and are validated by the app's own model;
``RAPID_APPS__<APP_ID>__<KEY>`` overrides one of them from the environment.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

ENV_PREFIX = "RAPID_"
APPS_ENV_PREFIX = "RAPID_APPS__"


class ConfigError(Exception):
    """The configuration cannot be read or is invalid; the message says where and why."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    data_dir: Path = Field(default=Path("data"), description="Folder for the database and keys")
    db_path: Path | None = Field(
        default=None, description="DuckDB file; default DATA_DIR/rapid.duckdb"
    )
    database_url: str = Field(
        default="",
        description="postgresql://USER:PASSWORD@HOST:PORT/DB selects PostgreSQL; empty (or a"
        " DuckDB file path) keeps DuckDB",
    )
    port: int = Field(default=8501, ge=1, le=65535)
    host: str = "localhost"
    base_url: str = Field(
        default="http://localhost:8501",
        description="Public address in QR links; default http://HOST:PORT",
    )
    locale: str = Field(default="vi", pattern="^(vi|en)$")
    timezone: str = "Asia/Ho_Chi_Minh"
    session_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    remember_login: bool = Field(
        default=True, description="A page reload keeps the login (cookie); off for kiosks"
    )
    session_lifetime_hours: int = Field(
        default=12, ge=1, le=24 * 7, description="A remembered login ends this long after login"
    )
    lockout_attempts: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Failed logins of one account name before each further one waits (1 s, 2 s,"
        " 4 s ...); a client gets four times as many",
    )
    lockout_minutes: int = Field(
        default=15, ge=1, le=24 * 60, description="The longest wait between failed logins"
    )
    issuer: str = Field(default="VN-DN", description="Issuer code written into every QR token")
    key_passphrase: SecretStr | None = Field(default=None, description="Encrypts private keys")
    demo_on_first_start: bool = Field(
        default=True,
        description="First start seeds the public demo; false: one admin with a random password",
    )
    web_submit_per_minute: int = Field(
        default=30, ge=1, le=1_000_000, description="Citizens' form posts per minute per client"
    )
    web_lookup_per_minute: int = Field(
        default=30,
        ge=1,
        le=1_000_000,
        description="Look-ups (pass, check-in) per minute per client",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For/-Proto are believed",
    )
    apps: dict[str, dict[str, Any]] = Field(default_factory=dict)
    retention_days: dict[str, int] = Field(
        default_factory=dict,
        description='Days each kind of record is kept, overriding its default: "<app>.<kind>"'
        ' or "core.<kind>" = days (rapid purge --dry-run lists the kinds)',
    )

    @model_validator(mode="after")
    def _base_url_follows_the_port(self) -> Settings:
        """Unless set, QR links point at the address the server really listens on."""
        if "base_url" not in self.model_fields_set:
            self.__dict__["base_url"] = f"http://{self.host}:{self.port}"
        return self

    @property
    def database(self) -> Path:
        """The DuckDB file: ``db_path``, a file path given as ``database_url``, or
        ``DATA_DIR/rapid.duckdb``. (``postgres_url`` says whether PostgreSQL is used.)"""
        if self.db_path is not None:
            return self.db_path
        url = self.database_url.strip()
        if url and not self.postgres_url:
            return Path(url.removeprefix("duckdb://"))
        return self.data_dir / "rapid.duckdb"

    @property
    def postgres_url(self) -> str | None:
        """``database_url`` when it names a PostgreSQL database, else None (DuckDB)."""
        url = self.database_url.strip()
        return url if url.lower().startswith(("postgresql://", "postgres://")) else None

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    def app_settings(self, app_id: str, model: type[BaseModel]) -> BaseModel:
        """The app's settings validated by its own model, with defaults for what is not set."""
        try:
            return model.model_validate(_from_text(model, self.apps.get(app_id, {})))
        except ValidationError as exc:
            raise ConfigError(f"[apps.{app_id}] {_first_error(exc)}") from exc

    def redacted(self) -> dict[str, Any]:
        """Everything, for display, with secrets hidden."""
        out = self.model_dump(mode="json")
        out["database"] = str(self.database)
        if self.database_url:
            out["database_url"] = redact_url(self.database_url)
            if self.postgres_url:
                out["database"] = out["database_url"]
        if self.key_passphrase is not None:
            out["key_passphrase"] = "********"
        return out


def redact_url(url: str) -> str:
    """A database URL with its password hidden (``postgresql://u:********@host/db``)."""
    import re

    url = re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:********@", url)
    return re.sub(r"(?i)([?&]password=)[^&]*", r"\1********", url)


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    return f"{loc}: {err['msg']}" if loc else err["msg"]


def _is_text_field(model: type[BaseModel], key: str) -> bool:
    info = model.model_fields.get(key)
    return info is None or info.annotation in (str, SecretStr, Path)


def _from_text(model: type[BaseModel], values: Any) -> Any:
    """Environment variables are text: a list or table setting may be given as JSON there
    (``RAPID_APPS__HOME_ISOLATION__RULES='[...]'``). Scalars stay text; pydantic's lax mode
    parses ``"20"`` or ``"true"`` itself."""
    if not isinstance(values, dict):
        return values
    out = dict(values)
    for key, value in values.items():
        if (
            isinstance(value, str)
            and value.lstrip()[:1] in ("[", "{")
            and not _is_text_field(model, key)
        ):
            try:
                out[key] = json.loads(value)
            except ValueError:
                pass  # the model's own error names the key
    return out


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def app_settings_problems(app_id: str, model: type[BaseModel], values: Any) -> list[str]:
    """What is wrong with one ``[apps.<app_id>]`` table, validated by the app's model: every
    unknown key (with the closest known one), then the first invalid value, key named."""
    where = f"[apps.{app_id}]"
    if not isinstance(values, dict):
        return [f"{where}: expected a table of settings, got {type(values).__name__}"]
    known = list(model.model_fields)
    problems: list[str] = []
    for key in values:
        if key not in model.model_fields:
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = (
                f"; did you mean {close[0]}?" if close else f"; known settings: {', '.join(known)}"
            )
            problems.append(f"{where} {key}: unknown setting{hint}")
    given = {k: v for k, v in values.items() if k in model.model_fields}
    try:
        model.model_validate(_from_text(model, given))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"]) or "(table)"
        top = err["loc"][0] if err["loc"] else None
        got = f" (got {_shown(given[top])})" if top in given else ""
        problems.append(f"{where} {loc}: {err['msg']}{got}")
    return problems


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(f"config file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc


def _env_overrides(environ: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    fields = Settings.model_fields
    for name, value in environ.items():
        if name.startswith(APPS_ENV_PREFIX):
            parts = name[len(APPS_ENV_PREFIX) :].lower().split("__", 1)
            if len(parts) == 2 and all(parts):
                out.setdefault("apps", {}).setdefault(parts[0], {})[parts[1]] = value
            continue
        if not name.startswith(ENV_PREFIX) or name == "RAPID_CONFIG":
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key in fields and key != "apps":
            listed = fields[key].annotation == list[str]
            out[key] = [v.strip() for v in value.split(",") if v.strip()] if listed else value
    return out


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def load_settings(
    config_file: Path | None = None, environ: dict[str, str] | None = None
) -> Settings:
    """Defaults <- TOML file <- environment. Raises ConfigError with a clear message."""
    env = dict(os.environ if environ is None else environ)
    values: dict[str, Any] = {}
    path = config_file or (Path(env["RAPID_CONFIG"]) if env.get("RAPID_CONFIG") else None)
    if path is None and Path("rapid.toml").is_file():
        path = Path("rapid.toml")
    if path is not None:
        values = _read_toml(path)
    values = _merge(values, _env_overrides(env))
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        where = f" in {path}" if path else ""
        raise ConfigError(f"invalid configuration{where}: {_first_error(exc)}") from exc


_current: Settings | None = None


def get_settings() -> Settings:
    """The process-wide settings, loaded once."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def set_settings(settings: Settings | None) -> None:
    """Replace the process-wide settings (tests, CLI --config)."""
    global _current
    _current = settings
