"""The preparation step that creates signing keys before the server starts."""

from __future__ import annotations


def prepare_keys() -> str | None:
    """Create the data folder's signing key on first start (idempotent); its kid if new."""
    from core.qr import service

    info, created = service.keystore().ensure_active()
    service.reset_cache()
    return info.kid_b64 if created else None
