import ast
from pathlib import Path

from core import i18n
from core.i18n import t, t_in

ROOT = Path(__file__).parents[2]


def test_every_key_has_both_languages():
    missing = [
        k
        for k, v in i18n.catalog().items()
        if not (v.get("vi", "").strip() and v.get("en", "").strip())
    ]
    assert missing == []


def _literal_keys() -> set[tuple[str, str]]:
    found = set()
    for path in (
        list(ROOT.glob("core/**/*.py"))
        + list(ROOT.glob("apps/**/*.py"))
        + list(ROOT.glob("checkpoints/**/*.py"))
    ):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "t"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add((node.args[0].value, str(path.relative_to(ROOT))))
    return found


def test_every_t_call_names_an_existing_key():
    catalog = i18n.catalog()
    unknown = sorted(f"{path}: {key}" for key, path in _literal_keys() if key not in catalog)
    assert unknown == []


def test_switching_language():
    i18n.set_locale("en")
    assert t("login.title") == "Log in"
    i18n.set_locale("vi")
    assert t("login.title") == "Đăng nhập"
    assert t_in("en", "auth.locked", until="10:00").endswith("after 10:00.")


def test_missing_key_is_visible_not_a_crash():
    assert t("no.such.key") == "no.such.key"


def test_reason_text_names_the_reason_and_keeps_the_code(settings):
    from core.i18n import reason_text, set_locale
    from core.qr.verify import Reason

    set_locale("vi")
    assert reason_text("REVOKED") == "Đã bị thu hồi (REVOKED)"
    for code in Reason:  # every reason the token core can give has a label
        assert reason_text(code.value) != code.value, code
    # an app's own rule reasons: the namespace is its token type's (``<title_key>.reason``)
    assert reason_text("ZONE_NOT_ALLOWED", "tp.token.reason").startswith("Không được phép")
    assert reason_text("ZONE_NOT_ALLOWED", "cp.reason") == "ZONE_NOT_ALLOWED"  # not the scanner's
    assert reason_text("SOMETHING_NEW") == "SOMETHING_NEW"
    set_locale("en")
    assert reason_text("EXPIRED") == "Expired (EXPIRED)"
