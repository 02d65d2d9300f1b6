"""EU Digital COVID Certificate test vectors (eu-digital-green-certificates/dgc-testdata,
Apache-2.0, copied into tests/data/dcc with its LICENSE).

Each file carries the QR text (PREFIX), the signer certificate and a validation clock in
TESTCTX, and EXPECTEDRESULTS flags per stage. Our verifier stops at the first failing stage
and reports it as a Reason, so each flag maps to a set of reasons:

* EXPECTEDUNPREFIX false   -> BAD_PREFIX or WRONG_TYPE (we expect the "HC1:" context)
* EXPECTEDB45DECODE false  -> BAD_BASE45
* EXPECTEDCOMPRESSION false -> BAD_COMPRESSION
* EXPECTEDDECODE false     -> BAD_STRUCTURE
* EXPECTEDVERIFY true      -> the signature verified: VALID, or a time verdict (time checks
  run after the signature; several vectors are signed by certificates that are expired at
  their validation clock, which HCERT does not treat as a signature failure)
* EXPECTEDVERIFY false     -> BAD_SIGNATURE, UNKNOWN_KEY or BAD_STRUCTURE
* EXPECTEDEXPIRATIONCHECK  -> VALID if true, EXPIRED or NOT_YET_VALID if false
  (using TESTCTX.VALIDATIONCLOCK as ``now``)

Two vectors need HCERT rules beyond plain COSE, both implemented in the verifier:
common/CO20 says "KID in protected header correct" but its protected header is empty
(kid and alg are only in the unprotected header) and still expects VERIFY true, so alg is
read from the unprotected header when the protected one has none (safe: every trusted key
allows exactly one alg). common/CBO1 is correctly signed but its hcert claim -260 holds a
byte string instead of {1: map}, so a malformed -260 claim is BAD_STRUCTURE.

A true flag for a stage also means no earlier stage failed. Flags we do not implement
(schema, key usage OIDs, picture decode) are not checked.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from core.qr import Reason, TrustList, verify

DATA = Path(__file__).resolve().parents[2] / "data" / "dcc"
FILES = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*.json"))
STAGES = ("EXPECTEDUNPREFIX", "EXPECTEDB45DECODE", "EXPECTEDCOMPRESSION", "EXPECTEDDECODE")
STAGE_FAIL = {
    "EXPECTEDUNPREFIX": {Reason.BAD_PREFIX, Reason.WRONG_TYPE},
    "EXPECTEDB45DECODE": {Reason.BAD_BASE45},
    "EXPECTEDCOMPRESSION": {Reason.BAD_COMPRESSION},
    "EXPECTEDDECODE": {Reason.BAD_STRUCTURE},
}
SIGNED = {Reason.VALID, Reason.EXPIRED, Reason.NOT_YET_VALID}
TIME_FAIL = {Reason.EXPIRED, Reason.NOT_YET_VALID}
CHECKED = (*STAGES, "EXPECTEDVERIFY", "EXPECTEDEXPIRATIONCHECK")


def _clock(text: str) -> datetime:
    # Vectors use "Z", "+02:00" and "+0200"; Python 3.11 fromisoformat reads all three.
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _vector(name: str) -> dict:
    return json.loads((DATA / name).read_text("utf-8"))


def test_vectors_present():
    assert len(FILES) >= 80 and (DATA / "LICENSE").exists()


@pytest.mark.parametrize("name", FILES)
def test_vector(name: str) -> None:
    d = _vector(name)
    expected = d.get("EXPECTEDRESULTS", {})
    if not any(k in expected for k in CHECKED):
        pytest.skip("no flag we implement (schema/key usage/picture only)")
    ctx = d["TESTCTX"]
    trust = TrustList()
    trust.add_certificate(ctx["CERTIFICATE"])
    v = verify(
        d["PREFIX"], trust=trust, now=_clock(ctx["VALIDATIONCLOCK"]), expected_prefixes={"HC1:"}
    )
    why = f"{name}: {ctx.get('DESCRIPTION', '')!r} -> {v.reason.value} {v.detail}"

    earlier: set[Reason] = set()
    for stage in STAGES:
        if stage in expected:
            if expected[stage]:
                assert v.reason not in earlier | STAGE_FAIL[stage], why
            else:
                assert v.reason in STAGE_FAIL[stage], why
        earlier |= STAGE_FAIL[stage]
    if "EXPECTEDVERIFY" in expected:
        if expected["EXPECTEDVERIFY"]:
            assert v.reason in SIGNED, why
        else:
            assert v.reason in {Reason.BAD_SIGNATURE, Reason.UNKNOWN_KEY, Reason.BAD_STRUCTURE}, why
    if "EXPECTEDEXPIRATIONCHECK" in expected:
        if expected["EXPECTEDEXPIRATIONCHECK"]:
            assert v.reason is Reason.VALID, why
        else:
            assert v.reason in TIME_FAIL, why


def test_eu_payload_is_exposed():
    d = _vector("common/CO1.json")
    trust = TrustList()
    trust.add_certificate(d["TESTCTX"]["CERTIFICATE"])
    v = verify(d["PREFIX"], trust=trust, now=_clock(d["TESTCTX"]["VALIDATIONCLOCK"]))
    assert v.ok and v.alg == "PS256" and v.issuer == "AT"
    assert v.claims[-260][1] == d["JSON"]
