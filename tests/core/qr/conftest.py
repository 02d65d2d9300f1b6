"""Fixtures for the signed-QR core: a signer, its trust list and a fixed clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from core.qr import Signer, TrustList
from core.qr.sign import example_permit_claims

NOW = datetime(2021, 9, 10, 8, 0, tzinfo=UTC)
NBF = NOW - timedelta(days=1)
EXP = NOW + timedelta(days=6)


@pytest.fixture(scope="session")
def signer() -> Signer:
    return Signer(ed25519.Ed25519PrivateKey.generate(), issuer="DN")


@pytest.fixture()
def trust(signer: Signer) -> TrustList:
    tl = TrustList()
    tl.add_public_key(signer.public_key, subject="test")
    return tl


@pytest.fixture(scope="session")
def permit_claims() -> dict:
    return example_permit_claims()


@pytest.fixture(scope="session")
def token(signer: Signer, permit_claims: dict) -> str:
    return signer.sign(
        "TP1:",
        permit_claims,
        token_id="TP25000123",
        not_before=NBF,
        expires=EXP,
        issued_at=NBF,
    )
