from core import accounts, demo


def test_demo_logins_list_the_demo_accounts_once_seeded(store, admin):
    assert demo.demo_logins(store) == []
    demo.ensure_demo_users(store)
    demo.ensure_demo_users(store)  # idempotent
    accounts.create_user(
        admin, "dn_business1", "Công ty A", "business", "Mat-khau-2021", store=store
    )
    store.set_state(demo.SEEDED_KEY, "small")
    assert store.get_state(demo.SEEDED_KEY) == "small"
    logins = demo.demo_logins(store)
    assert sorted(logins) == sorted(
        [(u, r) for u, _, r in demo.DEMO_USERS] + [("dn_business1", "business")]
    )
    accounts.set_disabled(admin, "approver", True, store=store)
    assert ("approver", "approver") not in demo.demo_logins(store)
