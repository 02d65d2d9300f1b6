"""Benchmark: A4 sheets of 1,000 permit cards (QR + Vietnamese name + 3 lines + caption).

Ours (``core.qr.render.pdf_cards``: vector QR runs, fonts loaded once per document) against a
naive baseline measured in the same run: per card ``qrcode.make`` -> PIL image -> ``FPDF.image``
with the same fonts and text, timed on a smaller count and scaled to 1,000 cards.
Target: <= 5 s for 1,000 cards.  Run: ``.venv/bin/python benchmarks/qr_pdf.py``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import base45  # noqa: E402
import qrcode  # noqa: E402
from fpdf import FPDF  # noqa: E402

from core.qr.render import FONT_DIR, Card, pdf_cards  # noqa: E402

N_CARDS = 1000
N_BASELINE = 80
NAMES = ["Nguyễn Thị Ánh Tuyết", "Đặng Văn Lâm", "Trần Quốc Khánh", "Lê Thị Hồng Nhung"]


def make_cards(n: int, seed: int = 7) -> list[Card]:
    rnd = random.Random(seed)
    cards = []
    for i in range(n):
        raw = bytes(rnd.randrange(256) for _ in range(rnd.randint(98, 130)))
        cards.append(
            Card(
                token_text="TP1:" + base45.b45encode(raw).decode(),
                holder_name=NAMES[i % len(NAMES)],
                lines=[
                    "Hiệu lực: 23/11/2026 – 07/12/2026",
                    "Cấp bởi: UBND Phường Bến Nghé",
                    f"Mã: TP-{i:08d}",
                ],
                caption="Xuất trình tại chốt kiểm soát",
            )
        )
    return cards


def naive(cards: list[Card]) -> bytes:
    """What one writes first: a PIL image per QR, embedded with FPDF.image, 8 per page."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    for i, card in enumerate(cards):
        if i % 8 == 0:
            pdf.add_page()
        x, y = 10 + (i % 2) * 95, 10 + (i % 8 // 2) * 69
        pdf.set_font("DejaVu", "B", 10)
        pdf.text(x + 3, y + 7, card.holder_name)
        pdf.image(qrcode.make(card.token_text).get_image(), x=x + 3, y=y + 10, w=47, h=47)
        pdf.set_font("DejaVu", "", 7.5)
        for j, line in enumerate(card.lines):
            pdf.text(x + 53, y + 14 + 3.4 * j, line)
        pdf.text(x + 3, y + 66, card.caption)
    return bytes(pdf.output())


def best_s(fn, arg, repeats: int) -> tuple[float, int]:
    best, size = float("inf"), 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        size = len(fn(arg))
        best = min(best, time.perf_counter() - t0)
    return best, size


def main() -> int:
    cards = make_cards(N_CARDS)
    pdf_cards(cards[:8])  # warm imports
    t_ours, size_ours = best_s(pdf_cards, cards, repeats=3)
    t_naive_part, _ = best_s(naive, cards[:N_BASELINE], repeats=2)
    t_base = t_naive_part * N_CARDS / N_BASELINE
    ratio = t_base / t_ours
    print(f"cards: {N_CARDS} (2 x 4 per A4 page, {N_CARDS // 8} pages)")
    print(f"ours  pdf_cards                     : {t_ours:7.2f} s  ({size_ours / 1e6:.1f} MB)")
    print(
        f"base  qrcode+PIL+FPDF.image per card: {t_base:7.2f} s  "
        f"(measured {t_naive_part:.2f} s on {N_BASELINE} cards, scaled x{N_CARDS / N_BASELINE:g})"
    )
    print(f"ratio baseline / ours               : {ratio:7.1f}x")
    ok = t_ours <= 5.0
    print(f"target <= 5 s for {N_CARDS} cards: {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
