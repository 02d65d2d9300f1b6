"""Validating the full health declaration through the forms core <= 0.5 ms. Baseline (same
run): the health declaration's hand-written validator as it was before the forms core
(benchmarks/baselines/hd_validator_c45f022.py). CPU time, best of several rounds."""

from __future__ import annotations

import sys
import timeit

import _util  # noqa: F401 - puts the project on sys.path

LIMIT_MS = 0.5
N = 5_000


def raw() -> dict:
    from core import geo

    return {
        "full_name": "Nguyễn Thị Thu Hà", "birth_year": "1985", "sex": "F", "nationality": "VN",
        "id_kind": "cccd", "person_id": "048185000123", "phone": "0905 123 456",
        "province_code": 48, "ward_code": geo.wards(48)[0].code, "street": "12 Bạch Đằng",
        "visited_provinces": [79], "visited_countries": [], "symptoms": ["fever"],
        "exposures": [], "chronic": ["diabetes"], "vaccine_doses": 2, "committed": True,
    }  # fmt: skip


def best_ms(fn, rounds: int = 7) -> float:
    return min(timeit.repeat(fn, number=N, repeat=rounds, timer=_cpu)) / N * 1000


def _cpu() -> float:
    import time

    return time.process_time()


def main() -> int:
    from baselines.hd_validator_c45f022 import validate_declaration

    from apps.health_declaration.forms import DECLARATION

    answers = raw()
    ours_values = DECLARATION.validate(answers)
    base_values = validate_declaration(answers)
    assert ours_values["ward_code"] == base_values.ward_code  # both read the same form
    ours = best_ms(lambda: DECLARATION.validate(answers))
    base = best_ms(lambda: validate_declaration(answers))
    print(f"forms core: the whole declaration validated in {ours:.4f} ms (limit {LIMIT_MS} ms)")
    print(f"baseline hand-written validator (c45f022)  {base:.4f} ms")
    ok = ours <= LIMIT_MS
    print(f"ratio ours/baseline {ours / base:.2f}  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
