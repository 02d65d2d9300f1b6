"""Demo data (filled in below)."""

from core.registry import DemoContext


def seed(ctx: DemoContext) -> None:
    del ctx
