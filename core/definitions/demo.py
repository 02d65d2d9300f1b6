"""Demo of the definition apps: the three example workbooks of ``examples/`` installed after
the built-in apps, one demo account per app role, the checkpoints their rules name (through
the checkpoint app's interface, where it is installed), and a few submissions each."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from core import clock
from core.store import Store

log = logging.getLogger(__name__)

EXAMPLES_DIR = Path(__file__).resolve().parents[2] / "examples"
EXAMPLES = ("market_vouchers.xlsx", "vaccination.xlsx", "relief_aid.xlsx")
HAI_CHAU, AN_HAI = 20242, 20275
ACCOUNTS = [
    # username, full name, grant
    ("phuong", "Nguyễn Thị Phường", f"can_bo_phuong@ward:{HAI_CHAU}"),
    ("tiemchung", "Lê Văn Tiêm", "nhan_vien_tiem"),
    ("cuutro", "Trần Văn Cứu", f"can_bo_xa@ward:{AN_HAI}"),
]
CHECKPOINTS = [
    # id (= the choice names the rules read), name, ward, lat, lon
    ("cho-con", "Chợ Cồn (cổng chính)", HAI_CHAU, 16.0680, 108.2143),
    ("cho-han", "Chợ Hàn (cổng Bạch Đằng)", HAI_CHAU, 16.0689, 108.2247),
    ("cho-an-hai", "Chợ An Hải", AN_HAI, 16.0689, 108.2345),
    ("vx-hai-chau", "Điểm tiêm TTYT Hải Châu", HAI_CHAU, 16.0544, 108.2150),
    ("vx-son-tra", "Điểm tiêm TTYT Sơn Trà", AN_HAI, 16.0829, 108.2386),
    ("vx-lien-chieu", "Điểm tiêm TTYT Liên Chiểu", HAI_CHAU, 16.0717, 108.1500),
    ("cuu-tro-an-hai", "Điểm nhận cứu trợ An Hải", AN_HAI, 16.0700, 108.2360),
    ("cuu-tro-hai-chau", "Điểm nhận cứu trợ Hải Châu", HAI_CHAU, 16.0610, 108.2200),
]
NAMES = [
    "Trần Thị Bích Ngọc", "Phạm Đức Thắng", "Lê Thị Hồng Nhung", "Nguyễn Văn Hùng",
    "Võ Thị Mai", "Đặng Quốc Bảo", "Huỳnh Thị Thu", "Bùi Văn Long",
]  # fmt: skip


def logins() -> list[str]:
    return [u for u, _, _ in ACCOUNTS]


def seed(store: Store, progress: Callable[[float, str], None] | None = None) -> None:
    """Install the examples and fill them a little (idempotent per workbook: an example
    already installed keeps its data)."""
    from core import accounts
    from core.auth import Principal
    from core.definitions import install
    from core.forms.model import DefinitionError

    admin = Principal(username="system:demo", roles=frozenset({"admin"}))
    done: list[str] = []
    for i, name in enumerate(EXAMPLES):
        path = EXAMPLES_DIR / name
        if not path.is_file():
            log.warning("example %s is missing", path)
            continue
        try:
            installed = install.install(
                admin, path.read_bytes(), filename=name, source="demo", store=store
            )
        except DefinitionError as exc:
            log.error("example %s not installed: %s", name, exc)
            continue
        if installed.new:
            done.append(installed.app_id)
        if progress:
            progress((i + 1) / (len(EXAMPLES) + 1), f"example {installed.app_id}")
    for username, full_name, grant in ACCOUNTS:
        if not accounts.user_exists(username, store=store):
            try:
                from core.demo import DEMO_PASSWORD

                accounts.insert_user(
                    "system", username, full_name, [grant], DEMO_PASSWORD, store=store
                )
            except Exception as exc:  # noqa: BLE001 - an example not installed has no role
                log.warning("demo account %s not created: %s", username, exc)
    _checkpoints(admin, store)
    active = install.active_definitions()
    if "phieu_di_cho" in done and "phieu_di_cho" in active:
        _market(store)
    if "tiem_chung" in done and "tiem_chung" in active:
        _vaccination(store)
    if "ho_tro_cuu_tro" in done and "ho_tro_cuu_tro" in active:
        _relief(store)


def _checkpoints(admin: object, store: Store) -> None:
    from core.registry import InterfaceError, get_registry

    try:
        add = get_registry().interface("checkpoints", "add_checkpoint")
    except InterfaceError:
        return  # no checkpoint scanner installed
    for cid, name, ward, lat, lon in CHECKPOINTS:
        try:
            add(admin, cid, name, str(ward), lat, lon, store=store)
        except Exception as exc:  # noqa: BLE001 - already there (a second demo run)
            log.debug("checkpoint %s: %s", cid, exc)


def _principal(username: str, grant: str) -> object:
    from core.auth import Grant, Principal

    role, _, scope = grant.partition("@")
    return Principal.of(username, [Grant(role, scope)], user_id=username)


def _market(store: Store) -> None:
    from core.definitions import service

    official = _principal("phuong", f"can_bo_phuong@ward:{HAI_CHAU}")
    markets = ["cho-con", "cho-han"]
    for i, head in enumerate(NAMES[:6]):
        service.submit(
            official,
            "phieu_di_cho",
            {
                "head": head,
                "household_no": 101 + i,
                "members": 2 + i % 4,
                "phone": f"090512{i:04d}",
                "province": 48,
                "ward": HAI_CHAU,
                "address": f"{12 + i} Hùng Vương",
                "market": markets[i % 2],
            },
            store=store,
        )


def _people(i: int, ward: int) -> dict:
    from core.forms.identity import compose_cccd

    year = 1945 + (i * 7) % 55
    return {
        "cccd": compose_cccd(48, year, "F" if i % 2 else "M", 100 + i),
        "birth_year": year,
        "phone": f"093512{i:04d}",
        "province": 48,
        "ward": ward,
    }


def _vaccination(store: Store) -> None:
    from core.definitions import service

    staff = _principal("tiemchung", "nhan_vien_tiem")
    sites = ["vx-hai-chau", "vx-son-tra", "vx-lien-chieu"]
    priorities = ["elderly", "health_worker", "chronic", "frontline", "other"]
    today = clock.today_local()
    sent = []
    for i, name in enumerate(NAMES[:5]):
        sent.append(
            service.submit(
                None,
                "tiem_chung",
                {
                    "full_name": name,
                    **_people(i, HAI_CHAU if i % 2 else AN_HAI),
                    "priority": priorities[i],
                    "site": sites[i % 3],
                    "day": today + timedelta(days=i % 3),
                    "consent": True,
                },
                store=store,
            )
        )
    for done in sent[:3]:
        service.decide(staff, "tiem_chung", done.id, "approve", store=store)
    service.decide(staff, "tiem_chung", sent[3].id, "reject", {"reason_code": "full"}, store=store)


def _relief(store: Store) -> None:
    from core.definitions import service

    official = _principal("cuutro", f"can_bo_xa@ward:{AN_HAI}")
    sent = []
    for i, name in enumerate(NAMES[2:7]):
        sent.append(
            service.submit(
                None,
                "ho_tro_cuu_tro",
                {
                    "head": name,
                    **_people(10 + i, AN_HAI),
                    "members": 3 + i,
                    "address": f"{40 + i} Ngô Quyền",
                    "needs": ["rice", "water"] if i % 2 else ["rice", "medicine"],
                    "point": "cuu-tro-an-hai",
                },
                store=store,
            )
        )
    for done in sent[:3]:
        service.decide(official, "ho_tro_cuu_tro", done.id, "approve", store=store)
    service.decide(
        official,
        "ho_tro_cuu_tro",
        sent[3].id,
        "reject",
        {"reason_code": "unverified", "reason_text": "Không liên lạc được số điện thoại"},
        store=store,
    )
