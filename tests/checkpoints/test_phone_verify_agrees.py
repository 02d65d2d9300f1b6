"""The phone's token verifier (the built bundle's ``verify``, in headless Chromium) gives the
reason the server's ``core.qr.verify`` gives, for vectors made here with ``core.qr`` (every
registered token type, tampering, keys, time windows, revocation, malformed layers, bombs),
for the EU DCC test vectors (foreign ``HC1:`` certificates, ES256 and PS256), and for random
and mutated texts (hypothesis, batched: one browser, one call per batch); claims, token id,
issuer and times are equal whenever the signature verified. Verification with 100,000
revoked ids stays under 5 ms a token. No Node needed: the committed bundle is loaded."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import cbor2
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from core.qr import Signer, TrustList, verify
from core.qr.codec import b45decode, b45encode, deflate, inflate, split_prefix
from core.qr.cose import Sign1Encoder
from core.qr.sign import APP_CLAIM
from core.qr.verify import MAX_TOKEN_CHARS, TokenVerdict
from core.registry import get_registry
from core.rules import _json

from .helpers import tamper
from .phone.harness import Harness, chromium, open_harness, serve

pytestmark = pytest.mark.browser

DCC = Path(__file__).resolve().parents[1] / "data" / "dcc"
NOW = datetime(2021, 9, 10, 3, 0, tzinfo=UTC)
T = int(NOW.timestamp())
REVOKED = ["REVOKED-1", "TP-REVOKED"]
PREFIXES = sorted(t.prefix for t in get_registry().token_types())


@dataclass
class Case:
    name: str
    text: Any
    trust: int = 0
    now: datetime = NOW
    prefixes: list[str] | None = None
    leeway: int = 0


@dataclass
class World:
    trusts: list[TrustList]
    signer: Signer
    other: Signer  # a key nobody trusts
    compromised: Signer
    retired: Signer


def _claims(i: int = 0) -> dict[str, Any]:
    return {
        "n": "Nguyễn Văn An",
        "c": "****1234",
        "b": "0401234567",
        "w": [20275, 20194 + i],
        "h": [360, 1200],
    }


def _wrap(prefix: str, cose: bytes, level: int = 9) -> str:
    return prefix + b45encode(deflate(cose, level))


def _signed(signer: Signer, prefix: str, payload: bytes, *, aad: bytes | None = None) -> bytes:
    """COSE_Sign1 bytes over any payload, signed by ``signer``."""
    enc = signer.encoder
    tbs = enc.to_be_signed(payload, prefix.encode() if aad is None else aad)
    return enc.message(payload, signer.sign_bytes(tbs))


def _cwt(**extra: Any) -> dict[int, Any]:
    cwt: dict[int, Any] = {1: "DN", 4: T + 3600, 5: T - 3600, 7: b"TP-RAW", APP_CLAIM: _claims()}
    for k, v in extra.items():
        label = {"iss": 1, "exp": 4, "nbf": 5, "iat": 6, "cti": 7, "app": APP_CLAIM}[k]
        if v is None:
            cwt.pop(label, None)
        else:
            cwt[label] = v
    return cwt


def _nested_unprotected(signer: Signer, depth: int) -> str:
    """A valid token whose unprotected header holds arrays nested ``depth`` deep (tag 18,
    the COSE array and the header map make 3 more levels: cbor2's limit is 400)."""
    payload = signer._payload(_claims(), "TP-DEEP", T - 60, T + 3600, None)
    enc = signer.encoder
    sig = signer.sign_bytes(enc.to_be_signed(payload, b"TP1:"))
    prot = enc.protected_raw
    nested = b"\x81" * depth + b"\x00"
    cose = (
        b"\xd2\x84"
        + cbor2.dumps(prot)
        + b"\xa1\x18\x63"
        + nested
        + cbor2.dumps(payload)
        + cbor2.dumps(sig)
    )
    return _wrap("TP1:", cose)


def _padding_variant(text: str) -> str | None:
    """The same token with a padding bit set at the end of its deflate stream (refused)."""
    prefix, body = split_prefix(text)
    data = bytearray(b45decode(body))
    for bit in range(7, 0, -1):
        if data[-5] >> bit:
            break
        bad = bytearray(data)
        bad[-5] |= 1 << bit
        try:
            inflate(bytes(bad))
        except ValueError as exc:
            if "padding" in str(exc):
                return prefix + b45encode(bytes(bad))
    return None


@pytest.fixture(scope="module")
def world() -> World:
    signer = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    other = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    compromised = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    retired = Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")
    trust = TrustList()
    trust.add_public_key(signer.public_key)
    trust.add_public_key(compromised.public_key, status="compromised")
    trust.add_public_key(retired.public_key, status="retired")
    for _ in range(20):  # a realistic list: ours among others
        trust.add_public_key(ed25519.Ed25519PrivateKey.generate().public_key(), status="retired")
    # 0: ours; 1: nobody; 2: the German test signer of the EU's vector DE/1
    return World([trust, TrustList(), _hc_trust()], signer, other, compromised, retired)


def _vectors(world: World) -> list[Case]:
    s = world.signer
    exp = NOW + timedelta(days=1)
    nbf = NOW - timedelta(days=1)
    cases: list[Case] = []
    for p in PREFIXES:
        tok = s.sign(p, _claims(), expires=exp, not_before=nbf, token_id=f"{p[:2]}-1")
        cases += [Case(f"valid {p}", tok, prefixes=[p]), Case(f"valid {p}, any type", tok)]
    tp = s.sign("TP1:", _claims(), expires=exp, not_before=nbf, token_id="TP-1")
    prefix, body = split_prefix(tp)
    cose = inflate(b45decode(body))
    sig_flipped = bytearray(cose)
    sig_flipped[-7] ^= 0x01
    wrong_key = Signer(world.other._key, issuer="DN", kid=s.kid)  # our kid, another key
    stored = _wrap("TP1:", cose, level=0)  # a stored (uncompressed) deflate block
    stored_bad = bytearray(b45decode(split_prefix(stored)[1]))
    stored_bad[2] |= 0x08  # a non-zero padding bit in the stored block's header byte
    compressed = b45decode(body)
    tbs_alg = Sign1Encoder(-7, s.kid)  # ES256 in the header of an Ed25519 key
    payload = s._payload(_claims(), "TP-ALG", None, T + 3600, None)
    es_header = tbs_alg.message(payload, s.sign_bytes(tbs_alg.to_be_signed(payload, b"TP1:")))
    no_alg = (
        b"\xd2\x84"
        + cbor2.dumps(cbor2.dumps({4: s.kid}))
        + b"\xa0"
        + cbor2.dumps(payload)
        + cbor2.dumps(s.sign_bytes(b"x"))
    )
    untagged = cose[1:]  # d2 dropped: an untagged COSE array
    hc = json.loads((DCC / "DE" / "1.json").read_text(encoding="utf-8"))
    hc_text = hc["PREFIX"]
    hc_now = datetime.fromisoformat(hc["TESTCTX"]["VALIDATIONCLOCK"].replace("Z", "+00:00"))
    hc_prefix, hc_body = split_prefix(hc_text)

    def raw(name: str, cwt: Any, **kw: Any) -> Case:
        data = cwt if isinstance(cwt, bytes) else cbor2.dumps(cwt)
        return Case(name, _wrap("TP1:", _signed(s, "TP1:", data)), **kw)

    cases += [
        Case("zlib level 0 (stored block)", stored),
        Case("tampered signature", _wrap(prefix, bytes(sig_flipped))),
        Case("tampered payload", tamper(tp)),
        Case("wrong key under our kid", wrong_key.sign("TP1:", _claims(), expires=exp)),
        Case("unknown kid", world.other.sign("TP1:", _claims(), expires=exp)),
        Case("compromised key", world.compromised.sign("TP1:", _claims(), expires=exp)),
        Case("retired key still verifies", world.retired.sign("TP1:", _claims(), expires=exp)),
        Case("expired", tp, now=exp + timedelta(seconds=1)),
        Case("expired at the second of exp", tp, now=exp),
        Case("a second before exp", tp, now=exp - timedelta(seconds=1)),
        Case("expired within leeway", tp, now=exp + timedelta(seconds=30), leeway=60),
        Case("not yet valid (nbf)", tp, now=nbf - timedelta(seconds=1)),
        Case("nbf within leeway", tp, now=nbf - timedelta(seconds=30), leeway=60),
        Case(
            "not yet valid (iat)",
            s.sign("TP1:", _claims(), expires=exp, issued_at=NOW + timedelta(hours=1)),
        ),
        Case("revoked", s.sign("TP1:", _claims(), expires=exp, token_id="TP-REVOKED")),
        Case("wrong type", tp, prefixes=["HD1:"]),
        Case("relabelled as another type", "HD1:" + body),
        Case("ES256 alg on an Ed25519 key", _wrap("TP1:", es_header)),
        Case("no alg header", _wrap("TP1:", no_alg)),
        Case("untagged COSE array", _wrap("TP1:", untagged)),
        Case("CWT tag 61 around tag 18", _wrap("TP1:", b"\xd8\x3d" + cose)),
        Case("trailing bytes after the COSE item", _wrap("TP1:", cose + b"\x00\x01")),
        Case("foreign HC1 certificate", hc_text, trust=2, now=hc_now),
        Case("foreign HC1 certificate, expired", hc_text, trust=2, now=hc_now.replace(year=2030)),
        Case("foreign signer relabelled as a permit", "TP1:" + hc_body, trust=2, now=hc_now),
        Case("foreign certificate nobody trusts", hc_text, trust=1, now=hc_now),
        Case("garbage", "hello world"),
        Case("empty", ""),
        Case("prefix only", "TP1:"),
        Case("lower-case prefix", "tp1:ABC"),
        Case("a URL", "https://example.com/?q=TP1:"),
        Case("not text", None),
        Case("oversized", "TP1:" + "A" * 5000),
        Case("exactly the size limit", "TP1:" + "0" * (MAX_TOKEN_CHARS - 4)),
        Case("astral characters count once", "TP1:" + "\U0001f600" * 2100),
        Case("base45: outside the alphabet", "TP1:abc"),
        Case("base45: non-ASCII", "TP1:ĂBC"),
        Case("base45: dangling character", "TP1:" + body + "A"),
        Case("base45: triplet over 16 bits", "TP1:" + ":::"),
        Case("base45: pair over 8 bits", "TP1:" + "000::"),
        Case("zlib bomb", "TP1:" + b45encode(deflate(b"\x00" * 1_000_000))),
        Case("inflates to exactly 16 KB", "TP1:" + b45encode(deflate(b"\x00" * 16384))),
        Case("inflates to 16 KB + 1", "TP1:" + b45encode(deflate(b"\x00" * 16385))),
        Case("zlib: trailing byte", "TP1:" + b45encode(compressed + b"\x00")),
        Case("zlib: truncated", "TP1:" + b45encode(compressed[:-6])),
        Case("zlib: bad checksum", "TP1:" + b45encode(compressed[:-1] + b"\x00")),
        Case("zlib: raw deflate, no header", "TP1:" + b45encode(compressed[2:])),
        Case("zlib: stored block header padding", "TP1:" + b45encode(bytes(stored_bad))),
        Case("CBOR depth bomb", "TP1:" + b45encode(deflate(b"\x81" * 12000 + b"\x00"))),
        Case("nested 400 deep (cbor2's limit)", _nested_unprotected(s, 397)),
        Case("nested 401 deep", _nested_unprotected(s, 398)),
        Case("not CBOR", "TP1:" + b45encode(deflate(b"\xff\xff"))),
        raw("no expiry", _cwt(exp=None)),
        raw("exp as a float", _cwt(exp=float(T + 3600))),
        raw("exp as text", _cwt(exp="tomorrow")),
        raw("exp true", _cwt(exp=True)),
        raw("exp beyond year 9999", _cwt(exp=253402300800)),
        raw("nbf as a bignum", _cwt(nbf=cbor2.CBORTag(2, (T - 60).to_bytes(4, "big")))),
        raw("app claims not a map", _cwt(app=[1, 2])),
        raw("CWT not a map", [1, 2, 3]),
        raw("CWT inside tag 55799 (a frozendict)", cbor2.CBORTag(55799, _cwt())),
        raw("token id not UTF-8", _cwt(cti=b"\xff\xfe\x01")),
        raw("token id as text", _cwt(cti="TP-TEXT")),
        raw("no token id", _cwt(cti=None)),
        raw("no issuer", _cwt(iss=None)),
        raw("issuer not text", _cwt(iss=7)),
        raw("bad hcert claim", {**_cwt(), -260: b"x"}),
        raw(
            "claims of every JSON type",
            _cwt(
                app={
                    "s": "é",
                    "i": -5,
                    "f": 1.5,
                    "t": True,
                    "z": None,
                    "l": [1, [2]],
                    "m": {"k": 1},
                    "b": b"\x01\x02",
                }
            ),
        ),
        raw("revoked raw id", _cwt(cti=b"REVOKED-1")),
        raw("revoked without expiry", _cwt(cti=b"REVOKED-1", exp=None)),
    ]
    for i in range(50):  # a token whose last deflate byte has free padding bits
        padded = _padding_variant(s.sign("TP1:", _claims(), expires=exp, token_id=f"TP-P{i}"))
        if padded is not None:
            cases.append(Case("zlib: padding bit set at the end", padded))
            break
    return cases


def _python(case: Case, world: World) -> TokenVerdict:
    return verify(
        case.text,
        trust=world.trusts[case.trust],
        revoked=frozenset(REVOKED),
        now=case.now,
        expected_prefixes=case.prefixes,
        leeway=timedelta(seconds=case.leeway),
    )


def _payload(cases: list[Case], world: World) -> dict[str, Any]:
    return {
        "trusts": [t.to_dict() for t in world.trusts],
        "revoked": REVOKED,
        "cases": [
            {
                "text": c.text,
                "trust": c.trust,
                "now": c.now.timestamp() * 1000,
                "prefixes": c.prefixes,
                "leeway": c.leeway,
            }
            for c in cases
        ],
    }


def _hc_trust() -> TrustList:
    hc = json.loads((DCC / "DE" / "1.json").read_text(encoding="utf-8"))
    trust = TrustList()
    trust.add_certificate(hc["TESTCTX"]["CERTIFICATE"])
    return trust


def _ts(t: datetime | None) -> float | None:
    return None if t is None else t.timestamp()


def _assert_same(case: Case, py: TokenVerdict, js: dict[str, Any]) -> None:
    assert js["reason"] == py.reason.value, (case.name, py.reason.value, py.detail, js)
    assert js["ok"] is py.ok, case.name
    if py.token_id is None and not py.claims:
        return
    # the signature verified: everything the verdict carries is equal
    assert js["tokenId"] == py.token_id, case.name
    assert js["claims"] == _json(py.claims), case.name
    assert js["issuer"] == py.issuer, case.name
    for key, value in (
        ("expiresAt", py.expires_at),
        ("notBefore", py.not_before),
        ("issuedAt", py.issued_at),
    ):
        assert js[key] == _ts(value) or math.isclose(js[key], _ts(value)), (case.name, key)


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    with serve() as url, chromium() as browser:
        h = open_harness(browser, url)
        yield h
        assert not h.foreign, f"requests left our origin: {h.foreign}"


def test_vectors_agree(harness: Harness, world: World) -> None:
    cases = _vectors(world)
    results = harness.call("verifyAll", _payload(cases, world))
    reasons = set()
    for case, js in zip(cases, results, strict=True):
        py = _python(case, world)
        _assert_same(case, py, js)
        reasons.add(py.reason.value)
    # every reason code is exercised by some vector
    assert reasons == {
        "VALID", "BAD_PREFIX", "BAD_BASE45", "BAD_COMPRESSION", "BAD_STRUCTURE", "UNKNOWN_KEY",
        "BAD_SIGNATURE", "NOT_YET_VALID", "EXPIRED", "REVOKED", "WRONG_TYPE", "TOO_LARGE",
        "KEY_COMPROMISED", "ALG_NOT_ALLOWED", "NO_EXPIRY",
    }  # fmt: skip


def test_eu_dcc_vectors_agree(harness: Harness) -> None:
    """Every EU test vector with its own certificate and clock: ES256, PS256 and the EU's
    broken ones (bad base45, zlib, CBOR, signatures, expired)."""
    cases, trusts = [], []
    for path in sorted(DCC.glob("*/*.json")):
        vector = json.loads(path.read_text(encoding="utf-8"))
        ctx = vector.get("TESTCTX", {})
        if not isinstance(vector.get("PREFIX"), str):
            continue
        trust = TrustList()
        if ctx.get("CERTIFICATE"):
            trust.add_certificate(ctx["CERTIFICATE"])
        clock = ctx.get("VALIDATIONCLOCK") or "2021-06-01T00:00:00Z"
        trusts.append(trust)
        cases.append(
            Case(
                str(path.relative_to(DCC)),
                vector["PREFIX"],
                trust=len(trusts) - 1,
                now=datetime.fromisoformat(clock.replace("Z", "+00:00")),
            )
        )
    assert len(cases) >= 80
    payload = {
        "trusts": [t.to_dict() for t in trusts],
        "cases": [
            {"text": c.text, "trust": c.trust, "now": c.now.timestamp() * 1000} for c in cases
        ],
    }
    results = harness.call("verifyAll", payload)
    reasons = set()
    for case, js in zip(cases, results, strict=True):
        py = verify(case.text, trust=trusts[case.trust], now=case.now)
        _assert_same(case, py, js)
        reasons.add(py.reason.value)
    assert {"VALID", "BAD_SIGNATURE", "EXPIRED", "BAD_COMPRESSION", "BAD_BASE45"} <= reasons


# -- hypothesis: random and mutated texts -----------------------------------------------------

_SPECIAL = [0x00, 0x18, 0x1B, 0x40, 0x41, 0x5F, 0x7F, 0x80, 0x81, 0x9F, 0xA0, 0xA1, 0xBF,
            0xC0, 0xC1, 0xC2, 0xD2, 0xD8, 0xD9, 0xE0, 0xF4, 0xF6, 0xF7, 0xF8, 0xF9, 0xFB, 0xFF]  # fmt: skip


def _mutate(data: bytes, rnd: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rnd.choice((1, 1, 2, 3))):
        i = rnd.randrange(len(b)) if b else 0
        op = rnd.random()
        if op < 0.35 and b:
            b[i] = rnd.choice(_SPECIAL) if rnd.random() < 0.5 else rnd.randrange(256)
        elif op < 0.55 and b:
            b[i] ^= 1 << rnd.randrange(8)
        elif op < 0.7:
            b.insert(i, rnd.choice(_SPECIAL))
        elif op < 0.85 and b:
            del b[i]
        else:
            b = b[: rnd.randrange(len(b) + 1)] + bytes(rnd.choice(_SPECIAL) for _ in range(3))
    return bytes(b)


def _mutated(token: str, layer: str, seed: int) -> str:
    """``token`` changed at one layer: its text, its zlib bytes, or its COSE bytes (then
    compressed again, so the change reaches the CBOR and signature checks)."""
    rnd = random.Random(seed)
    prefix, body = split_prefix(token)
    if layer == "text":
        chars = list(body)
        for _ in range(rnd.randint(1, 3)):
            chars[rnd.randrange(len(chars))] = rnd.choice("0123456789ABCXYZ $%*+-./:a")
        return prefix + "".join(chars)
    if layer == "zlib":
        return prefix + b45encode(_mutate(b45decode(body), rnd))
    return prefix + b45encode(deflate(_mutate(inflate(b45decode(body)), rnd), rnd.choice((0, 9))))


@st.composite
def _texts(draw: st.DrawFn, tokens: list[str]) -> str:
    kind = draw(st.sampled_from(["mutated"] * 6 + ["alphabet", "any"]))
    if kind == "alphabet":
        prefix = draw(st.sampled_from([*PREFIXES, "HC1:", "ZZ9:", ""]))
        return prefix + draw(st.text("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:", max_size=120))
    if kind == "any":
        return draw(st.text(max_size=200))
    token = draw(st.sampled_from(tokens))
    layer = draw(st.sampled_from(["text", "zlib", "cose", "cose"]))
    return _mutated(token, layer, draw(st.integers(0, 2**32)))


@pytest.fixture(scope="module")
def tokens(world: World) -> list[str]:
    s = world.signer
    exp = NOW + timedelta(days=1)
    out = [s.sign(p, _claims(i), expires=exp, token_id=f"H{i}") for i, p in enumerate(PREFIXES)]
    out.append(_wrap("TP1:", inflate(b45decode(split_prefix(out[0])[1])), level=0))
    out.append(s.sign("TP1:", _claims(), expires=exp, token_id="TP-REVOKED"))
    return out


def test_random_and_mutated_texts_agree(harness: Harness, world: World, tokens: list[str]) -> None:
    @settings(max_examples=4, deadline=None)
    @given(st.lists(_texts(tokens), min_size=250, max_size=250))
    def check(texts: list[str]) -> None:
        cases = [Case("hypothesis", t) for t in texts]
        results = harness.call(
            "verifyAll",
            {
                "trusts": [world.trusts[0].to_dict()],
                "revoked": REVOKED,
                "cases": [{"text": t, "now": NOW.timestamp() * 1000} for t in texts],
            },
        )
        for case, js in zip(cases, results, strict=True):
            _assert_same(case, _python(case, world), js)

    check()


def test_100000_revocations_under_5_ms_a_token(harness: Harness, world: World) -> None:
    s = world.signer
    exp = NOW + timedelta(days=1)
    texts = s.sign_many(
        "TP1:",
        [{"claims": _claims(i), "expires": exp, "token_id": f"TP{i:08d}"} for i in range(300)],
    )
    revoked = [f"RV{i:08d}" for i in range(100_000 - 30)] + [
        f"TP{i:08d}" for i in range(0, 300, 10)
    ]
    out = harness.call(
        "timeVerify",
        {
            "trust": world.trusts[0].to_dict(),
            "texts": texts,
            "revoked": revoked,
            "now": NOW.timestamp() * 1000,
            "prefixes": PREFIXES,
            "rounds": 2,
        },
    )
    assert out["revoked"] == 100_000
    assert out["reasons"] == {"VALID": 540, "REVOKED": 60}
    assert out["msPerToken"] <= 5.0, out
