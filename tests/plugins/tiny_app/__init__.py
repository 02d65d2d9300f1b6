"""A tiny third-party plugin used by the tests: its own role, one page, one migration, a token
type with its labels, a seeder."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from pydantic import BaseModel, ConfigDict

from core.registry import App, CheckContext, DemoContext, Page, Role, RuleResult, TokenType


class TinyClaims(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: str
    c: str | None = None


def hello_page() -> None:
    st.title("Tiny hello")
    st.write("tiny page rendered")


def seed(ctx: DemoContext) -> None:
    ctx.store.execute("INSERT INTO tiny_things (name) VALUES (?)", [f"seeded-{ctx.scale}"])


def rule(claims: dict, ctx: CheckContext) -> RuleResult:
    return RuleResult("VALID", "OK", {"name": claims.get("n", "")})


def stats(store) -> dict:
    return {"things": store.scalar("SELECT count(*) FROM tiny_things")}


app = App(
    id="tiny",
    title_vi="Ứng dụng nhỏ",
    title_en="Tiny app",
    roles=[Role("tiny_user", "Người dùng ứng dụng nhỏ", "Tiny user")],
    pages=[Page("tiny.hello", "tiny.hello", hello_page, frozenset({"tiny_user"}))],
    migrations=Path(__file__).parent / "migrations",
    token_types=[
        TokenType("ZZ", "ZZ1:", "tiny.token", TinyClaims, rule, reasons=("OK",), fields=("name",))
    ],
    messages={
        "tiny.hello": {"vi": "Xin chào nhỏ", "en": "Tiny hello"},
        "tiny.token": {"vi": "Mã nhỏ", "en": "Tiny code"},
        "tiny.token.reason.OK": {"vi": "Được", "en": "Fine"},
        "tiny.token.field.name": {"vi": "Tên", "en": "Name"},
    },
    seed_demo=seed,
    stats=stats,
)

broken_manifest = App(id="Bad Id", title_vi="", title_en="x")
