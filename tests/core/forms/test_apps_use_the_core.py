"""The apps declare forms and leave parsing to the core: no app defines its own parser of a
phone, CCCD, passport, person id or name, nor a form-error class; every stored form fits its
table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from core.registry import get_registry

ROOT = Path(__file__).parents[3]
PARSER = re.compile(r"(parse|normali[sz]e|validate|check)_.*(phone|cccd|passport|person_id|name)")
ERROR_CLASS = re.compile(r"(FieldError|FormInvalid|\w+Invalid)$")


def _definitions() -> list[tuple[str, int, str]]:
    found = []
    for path in sorted((ROOT / "apps").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and PARSER.search(
                node.name
            ):
                found.append((str(path.relative_to(ROOT)), node.lineno, f"def {node.name}"))
            if isinstance(node, ast.ClassDef) and ERROR_CLASS.search(node.name):
                found.append((str(path.relative_to(ROOT)), node.lineno, f"class {node.name}"))
    return found


def test_no_app_parses_identifiers_or_defines_form_errors():
    assert _definitions() == []


def test_every_installed_app_declares_its_forms_and_they_fit_their_tables(store):
    registry = get_registry()
    forms = registry.forms()
    assert {app.id for app, _ in forms} >= {"health_declaration", "home_isolation", "travel_permit"}
    assert registry.form_problems(store) == []


def test_every_form_of_every_app_speaks_both_languages():
    for app, form in get_registry().forms():
        for field in form.fields:
            if field.kind.has_value and field.base_type != "calculate":
                assert field.label.vi and field.label.en, f"{app.id}: {form.id}.{field.name}"
