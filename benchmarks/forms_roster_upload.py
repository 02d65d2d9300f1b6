"""A 5,000-row employee roster read and validated through the forms core's generic table reader
(the travel-permit employee form) no slower than the roster reader it replaced by more than 20%.
Baseline (same run): that hand-written reader as it was at c45f022
(benchmarks/baselines/roster_c45f022.py), on the same bytes. CPU time, best of interleaved
rounds (the machine may be shared)."""

from __future__ import annotations

import sys

from _util import interleaved

ROWS = 5_000
MAX_RATIO = 1.2


def data(headers: list[str]) -> bytes:
    body = "".join(
        f"Nguyễn Văn An,0480900{i:05d},0905123456,Hải Châu,An Hải,43A-123.45,Kỹ sư\n"
        for i in range(ROWS)
    )
    return ("\ufeff" + ",".join(headers) + "\n" + body).encode()


def main() -> int:
    from baselines import roster_c45f022 as old

    from apps.travel_permit.forms import employee_form
    from core.forms.table import parse_upload
    from core.i18n import set_locale

    set_locale("vi")
    form = employee_form(48)
    payload = data([old.HEADERS_VI[c] for c in old.COLUMNS])  # the old template's headers

    def ours() -> object:
        result = parse_upload(
            form, "r.csv", payload, max_rows=50_000, max_bytes=20_000_000, unique=("cccd",)
        )
        assert len(result.good) == ROWS and not result.errors
        return result

    def base() -> object:
        result = old.parse_file("r.csv", payload, 48, max_rows=50_000, max_bytes=20_000_000)
        assert len(result.good) == ROWS and not result.errors
        return result

    a, b = interleaved(ours, base, repeat=7)
    ratio = a / b
    print(f"forms core: {ROWS:,}-row roster read and validated in {a:.3f} s CPU")
    print(f"baseline roster reader (c45f022) on the same file   {b:.3f} s CPU")
    ok = ratio <= MAX_RATIO
    print(f"ratio ours/baseline {ratio:.2f} (limit {MAX_RATIO})  {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
