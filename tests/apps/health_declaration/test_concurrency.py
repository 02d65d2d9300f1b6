"""64 threads submitting declarations through the service: exactly N rows, no error (N
distinct people with distinct phones: the per-phone limit is tested elsewhere)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from apps.health_declaration import service
from tests.apps.health_declaration.conftest import form

N = 256


def test_64_threads_exact_rows(hd):
    def one(i: int) -> str:
        return service.submit_declaration(
            None, form(person_id=f"048185{i:06d}", phone=f"0905{i:06d}")
        ).token_id

    with ThreadPoolExecutor(max_workers=64) as pool:
        ids = list(pool.map(one, range(N)))
    assert len(set(ids)) == N
    assert hd.scalar("SELECT count(*) FROM hd_declarations") == N
    assert hd.scalar("SELECT count(DISTINCT person_id) FROM hd_declarations") == N
    assert hd.scalar("SELECT count(*) FROM qr_tokens WHERE prefix = 'HD1:'") == N
