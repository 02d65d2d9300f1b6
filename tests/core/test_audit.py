import pytest

from core import audit
from core.auth import PermissionDenied
from core.testkit import make_principal


def test_record_and_search(store, admin):
    audit.record(admin, "permit.approve", "request", "R-1", {"note": "Đồng ý"})
    audit.record("system", "permit.reject", "request", "R-2", {"reason": "thiếu giấy tờ"})
    rows = audit.search(admin, text="Đồng")
    assert list(rows["object_id"]) == ["R-1"]
    assert list(audit.search(admin, action="permit.reject")["actor"]) == ["system"]
    assert len(audit.search(admin)) == 2


def test_record_joins_the_callers_transaction(store, admin):
    with pytest.raises(RuntimeError):
        with store.transaction():
            audit.record(admin, "x", "y", "z")
            raise RuntimeError("undo")
    assert store.scalar("SELECT count(*) FROM audit_log") == 0


def test_record_many_bulk(store, admin):
    assert audit.record_many(admin, "qr.issue", "token", [f"t{i}" for i in range(1000)]) == 1000
    assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'qr.issue'") == 1000


@pytest.mark.parametrize("role", ["business", "approver", "checkpoint", "health_officer"])
def test_only_admin_reads_the_audit_log(store, role):
    with pytest.raises(PermissionDenied):
        audit.search(make_principal("x", role))


def test_audit_log_is_append_only_in_code():
    """No code outside the migration updates or deletes audit rows."""
    from pathlib import Path

    root = Path(__file__).parents[2]
    offenders = []
    for path in (
        list(root.glob("core/**/*.py"))
        + list(root.glob("apps/**/*.py"))
        + list(root.glob("checkpoints/**/*.py"))
    ):
        text = path.read_text(encoding="utf-8").lower()
        if "update audit_log" in text or "delete from audit_log" in text:
            offenders.append(str(path))
    assert offenders == []
