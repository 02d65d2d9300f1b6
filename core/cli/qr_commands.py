"""``rapid keys ...`` and ``rapid qr sign|verify|render``: signed QR tokens for operators.
Imported only when one of these commands runs (``core.cli.main`` names them lazily)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from core import clock
from core.auth import operator
from core.cli.main import CliError, _progress, open_store
from core.config import get_settings
from core.qr import service
from core.qr.bundle import BundleError
from core.qr.keys import KeyStoreError
from core.qr.offline import load_bundle, load_trust_file
from core.qr.render import Card, pdf_cards, png_bytes, svg_text
from core.qr.sign import APP_CLAIM, CWT_CTI, CWT_EXP, CWT_ISS
from core.qr.verify import TokenVerdict, decode_unverified, verify
from core.registry import get_registry


def _audit_key(action: str, kid: str, details: dict[str, Any] | None = None) -> None:
    """Audit a key event; when the server holds the (DuckDB) database it is kept and added
    later (``audit.record_or_defer``: PostgreSQL is never held, the event goes in at once)."""
    from core import audit

    if not audit.record_or_defer(operator(), action, "key", kid, details):
        click.echo(
            "note: the server holds the database; this key event is logged on its next start",
            err=True,
        )


# -- keys -------------------------------------------------------------------------------------


@click.group("keys")
def keys_group() -> None:
    """Signing keys: create, rotate, list, trust foreign signers, export the trust list."""


@keys_group.command("init")
def keys_init() -> None:
    """Create the first signing key (does nothing when one exists)."""
    info, created = service.keystore().ensure_active()
    if created:
        _audit_key("key.create", info.kid_b64, {"alg": info.alg})
    click.echo(f"active key {info.kid_b64} ({info.alg}, created {info.created:%Y-%m-%d %H:%M} UTC)")


@keys_group.command("rotate")
def keys_rotate() -> None:
    """Make a new active key; older keys stay trusted until their tokens expire."""
    info = service.keystore().rotate()
    service.reset_cache()
    _audit_key("key.rotate", info.kid_b64, {"alg": info.alg})
    click.echo(f"new active key {info.kid_b64}")


@keys_group.command("list")
@click.option("--json", "as_json", is_flag=True)
def keys_list(as_json: bool) -> None:
    """Our keys and the foreign signers we trust."""
    rows = [
        {
            "kid": i.kid_b64,
            "alg": i.alg,
            "status": i.status,
            "source": i.source,
            "created": i.created.isoformat(),
            "subject": i.subject,
        }
        for i in service.keystore().list()
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for r in rows:
        click.echo(
            f"{r['kid']}  {r['alg']:<6} {r['status']:<11} {r['source']:<7} {r['created'][:16]}  {r['subject']}"
        )


@keys_group.command("compromise")
@click.argument("kid")
@click.confirmation_option(prompt="Tokens signed by this key will be refused everywhere. Continue?")
def keys_compromise(kid: str) -> None:
    """Mark a key compromised: every token it signed is refused from now on."""
    service.keystore().mark_compromised(kid)
    service.reset_cache()
    _audit_key("key.compromise", kid)
    click.echo(f"key {kid} marked compromised")


@keys_group.command("trust")
@click.argument("cert", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def keys_trust(cert: Path) -> None:
    """Trust a foreign signer's X.509 certificate (PEM, DER or base64 DER), for HC1: health
    certificates only: a foreign signer never signs our token types or checkpoint bundles."""
    try:
        info = service.keystore().trust_certificate(cert.read_bytes())
    except (KeyStoreError, ValueError) as exc:
        raise CliError(f"{cert}: {exc}") from exc
    service.reset_cache()
    _audit_key("key.trust", info.kid_b64, {"subject": info.subject, "alg": info.alg})
    click.echo(f"trusted {info.kid_b64} ({info.alg}) {info.subject}")


@keys_group.command("export-trust")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
def keys_export_trust(out: Path | None) -> None:
    """The public trust list as JSON for checkpoint stations to pin: the token signers and,
    apart, this server's own keys, the only ones whose bundles a station accepts."""
    text = json.dumps(service.keystore().export_trust(), indent=2)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"trust list written to {out}")


# -- qr (the group is core.cli.main.qr_group) ---------------------------------------------------


def _token_type(name: str) -> tuple[str, Any]:
    """A registered token type by type id or prefix -> (prefix, claims model or None)."""
    for tok in get_registry().token_types():
        if name in (tok.type_id, tok.prefix, tok.prefix.rstrip(":")):
            return tok.prefix, tok.claims_model
    known = ", ".join(f"{t.type_id} ({t.prefix})" for t in get_registry().token_types()) or "none"
    raise CliError(f"unknown token type {name!r}; installed types: {known}")


def _parse_time(value: Any, line_no: int, key: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        raise CliError(f"line {line_no}: {key} is not an ISO date/time: {value!r}") from None
    return clock.as_utc(parsed)


def read_claims_file(path: Path, claims_model: Any, valid_days: float) -> list[service.IssueItem]:
    """JSON lines ``{"claims": {...}, "expires"?, "not_before"?, "token_id"?, "subject"?}``.
    Every line is checked before anything is signed; the first bad line is a clear error."""
    items: list[service.IssueItem] = []
    now = clock.now()
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise CliError(f"{path} is not UTF-8 text") from None
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CliError(f"line {no}: not JSON ({exc.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("claims"), dict):
            raise CliError(f'line {no}: expected an object with a "claims" object')
        claims = row["claims"]
        if claims_model is not None:
            try:
                claims = claims_model.model_validate(claims).model_dump(
                    mode="json", by_alias=True, exclude_none=True
                )
            except ValidationError as exc:
                err = exc.errors()[0]
                raise CliError(
                    f"line {no}: claims.{'.'.join(map(str, err['loc']))}: {err['msg']}"
                ) from None
        nbf = _parse_time(row.get("not_before"), no, "not_before")
        exp = _parse_time(row.get("expires"), no, "expires") or now + timedelta(days=valid_days)
        if nbf is not None and nbf >= exp:
            raise CliError(f"line {no}: not_before must be before expires")
        items.append(
            service.IssueItem(claims, exp, nbf, str(row.get("subject", "")), row.get("token_id"))
        )
    if not items:
        raise CliError(f"{path} holds no claims")
    return items


@click.command("sign")
@click.option("--type", "type_name", required=True, help="Token type id or prefix, e.g. TP.")
@click.option(
    "--claims",
    "claims_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--valid-days", default=7.0, show_default=True, help="Validity when a line has no expires."
)
def qr_sign(type_name: str, claims_file: Path, out: Path, valid_days: float) -> None:
    """Sign every line of a JSONL claims file into tokens (one per line in --out), stored
    and audited in one transaction: all or nothing."""
    prefix, model = _token_type(type_name)
    items = read_claims_file(claims_file, model, valid_days)
    with open_store() as store, _progress() as progress:
        issued = service.issue(prefix, items, operator(), store=store, progress=progress)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text("".join(i.text + "\n" for i in issued), encoding="utf-8")
    tmp.replace(out)
    click.echo(f"{len(issued)} token(s) signed -> {out}", err=True)


def _read_tokens(text: str | None, infile: Path | None) -> list[str]:
    if (text is None) == (infile is None):
        raise CliError("give either a TEXT argument or --in FILE")
    if text is not None:
        return [text.strip()]
    source = sys.stdin if str(infile) == "-" else None
    content = source.read() if source else infile.read_text(encoding="utf-8-sig", errors="replace")  # type: ignore[union-attr]
    return [line.strip() for line in content.splitlines() if line.strip()]


def _verdict_json(v: TokenVerdict) -> dict[str, Any]:
    return {
        "valid": v.ok,
        "reason": v.reason.value,
        "type": v.type_prefix,
        "token_id": v.token_id,
        "kid": v.kid.hex() if v.kid else None,
        "alg": v.alg,
        "issuer": v.issuer,
        "not_before": v.not_before.isoformat() if v.not_before else None,
        "expires_at": v.expires_at.isoformat() if v.expires_at else None,
        "claims": v.claims if v.ok else {},
        "detail": v.detail,
    }


@click.command("verify")
@click.argument("text", required=False)
@click.option(
    "--in",
    "infile",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File of tokens, one per line ('-' for stdin).",
)
@click.option(
    "--bundle",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Offline checkpoint bundle instead of the server database.",
)
@click.option(
    "--trust",
    "trust_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Pinned trust list for the bundle (rapid keys export-trust on the server).",
)
@click.option(
    "--allow-unpinned",
    is_flag=True,
    help="Accept a --bundle without --trust: its signature is then checked against its own"
    " trust list (integrity only; anyone can make such a bundle). Not for real checks.",
)
@click.option("--at", "at_time", help="Verify as of this ISO time (default now).")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per token.")
def qr_verify(
    text: str | None,
    infile: Path | None,
    bundle: Path | None,
    trust_file: Path | None,
    allow_unpinned: bool,
    at_time: str | None,
    as_json: bool,
) -> None:
    """Verify tokens; exit code 0 only if every token is valid."""
    if bundle is not None and trust_file is None and not allow_unpinned:
        raise CliError(
            "--bundle needs a pinned trust list: give --trust trust.json (from `rapid keys"
            " export-trust` on the server), or --allow-unpinned to check the bundle's integrity"
            " only"
        )
    if bundle is None and (trust_file is not None or allow_unpinned):
        raise CliError("--trust and --allow-unpinned go with --bundle")
    tokens = _read_tokens(text, infile)
    now = _parse_time(at_time, 0, "--at") if at_time else clock.now()
    verdicts: list[TokenVerdict] = []
    if bundle is not None:
        try:
            anchors = load_trust_file(trust_file) if trust_file else None
            offline = load_bundle(bundle.read_bytes(), anchors)
        except BundleError as exc:
            raise CliError(f"{bundle}: {exc}") from exc
        if not offline.pinned:
            click.echo(
                "warning: no pinned trust list: the bundle is checked for integrity only",
                err=True,
            )
        verdicts = [
            verify(tok, trust=offline.trust, revoked=offline.revoked, now=now) for tok in tokens
        ]  # type: ignore[arg-type]
    else:
        with open_store() as store:
            verdicts = [service.verify_server(tok, now=now, store=store) for tok in tokens]
    for v in verdicts:
        if as_json:
            click.echo(json.dumps(_verdict_json(v), ensure_ascii=False, default=str))
        else:
            mark = "VALID" if v.ok else f"INVALID ({v.reason.value})"
            click.echo(
                f"{mark}  {v.token_id or '-'}  {json.dumps(v.claims, ensure_ascii=False) if v.ok else v.detail}"
            )
    if not all(v.ok for v in verdicts):
        sys.exit(1)


@click.command("render")
@click.option(
    "--in", "infile", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--format", "fmt", type=click.Choice(["png", "svg", "pdf"]), required=True)
@click.option(
    "--out",
    required=True,
    type=click.Path(path_type=Path),
    help="Folder for png/svg (a file when one token), file for pdf.",
)
@click.option(
    "--scale",
    default=8,
    show_default=True,
    type=click.IntRange(1, 40),
    help="Pixels per module (png).",
)
@click.option("--no-verify", is_flag=True, help="Print PDF cards without checking signatures.")
def qr_render(infile: Path, fmt: str, out: Path, scale: int, no_verify: bool) -> None:
    """Render tokens as PNG or SVG files, or one printable A4 PDF of cards."""
    tokens = _read_tokens(None, infile)
    if not tokens:
        raise CliError(f"{infile} holds no tokens")
    if fmt == "pdf" and not no_verify:
        trust = service.trust_list()
        bad = [
            f"line {n}: {v.reason.value}"
            for n, tok in enumerate(tokens, 1)
            if not (v := verify(tok, trust=trust, now=clock.now())).ok
        ]
        if bad:
            raise CliError("not printing tokens that do not verify: " + "; ".join(bad[:5]))
    if fmt == "pdf":
        cards = [_card_for(tok) for tok in tokens]
        _atomic_write(out, pdf_cards(cards))
        click.echo(f"{len(cards)} card(s) -> {out}", err=True)
        return
    single = len(tokens) == 1 and out.suffix.lower() == f".{fmt}"
    if not single:
        out.mkdir(parents=True, exist_ok=True)
    for n, tok in enumerate(tokens, 1):
        data = png_bytes(tok, scale=scale) if fmt == "png" else svg_text(tok).encode()
        _atomic_write(out if single else out / f"token-{n:06d}.{fmt}", data)
    click.echo(f"{len(tokens)} {fmt.upper()} file(s) -> {out}", err=True)


def _card_for(token: str) -> Card:
    """A printable card from the token's own (unverified) content: name, validity, id."""
    info = decode_unverified(token)
    payload = getattr(info, "payload", None)
    if not isinstance(payload, dict):
        return Card(token_text=token, holder_name="", lines=[token[:24] + "…"])
    claims = payload.get(APP_CLAIM, {})
    name = str(claims.get("n", "")) if isinstance(claims, dict) else ""
    lines = []
    if isinstance(payload.get(CWT_EXP), int):
        until = datetime.fromtimestamp(payload[CWT_EXP], UTC)
        lines.append(f"Hiệu lực đến / Valid until: {clock.fmt_local(until)}")
    issuer = payload.get(CWT_ISS) or get_settings().issuer  # tokens no longer carry it
    if issuer:
        lines.append(f"Cơ quan cấp / Issuer: {issuer}")
    cti = payload.get(CWT_CTI)
    if isinstance(cti, bytes):
        lines.append(f"Mã / ID: {cti.decode(errors='replace')}")
    return Card(token_text=token, holder_name=name, lines=lines)


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
