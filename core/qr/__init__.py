"""Signed QR tokens in the HCERT container (EU DCC / WHO SMART Trust format).

Public API::

    Signer, TokenClaims            issue tokens (core.qr.sign)
    verify, TokenVerdict, Reason   offline verification (core.qr.verify)
    decode_unverified              display/debug only
    KeyStore, KeyStoreError        keys on disk (core.qr.keys)
    TrustList, TrustEntry          kid -> public key (core.qr.trust)
    sign_bundle, open_bundle       signed offline bundles (core.qr.bundle)
"""

from core.qr.bundle import BundleError, open_bundle, sign_bundle
from core.qr.codec import check_prefix
from core.qr.keys import KeyInfo, KeyStore, KeyStoreError
from core.qr.sign import APP_CLAIM, Signer, TokenClaims
from core.qr.trust import TrustEntry, TrustError, TrustList
from core.qr.verify import (
    MAX_TOKEN_CHARS,
    DecodedToken,
    Reason,
    TokenVerdict,
    decode_unverified,
    verify,
)

__all__ = [
    "APP_CLAIM",
    "MAX_TOKEN_CHARS",
    "BundleError",
    "DecodedToken",
    "KeyInfo",
    "KeyStore",
    "KeyStoreError",
    "Reason",
    "Signer",
    "TokenClaims",
    "TokenVerdict",
    "TrustEntry",
    "TrustError",
    "TrustList",
    "check_prefix",
    "decode_unverified",
    "open_bundle",
    "sign_bundle",
    "verify",
]
