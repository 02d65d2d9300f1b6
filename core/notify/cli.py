"""``rapid notify test PHONE``: send a test SMS through the configured sender."""

from __future__ import annotations

import click


@click.group("notify")
def notify_group() -> None:
    """Notifications (SMS) through the configured sender."""


@notify_group.command("test")
@click.argument("phone")
@click.option("--lang", type=click.Choice(["vi", "en"]), default="vi", show_default=True)
def notify_test(phone: str, lang: str) -> None:
    """Send a test SMS to PHONE (each run is a new event; the per-number limits apply)."""
    import uuid

    from core.config import get_settings
    from core.i18n import get_locale
    from core.notify import NotifyError, get_sender, mask_phone, send_sms
    from core.notify.messages import render
    from core.registry import get_registry
    from core.store import open_store, set_store, store_target

    store = open_store(store_target(get_settings()))
    try:
        store.migrate(get_registry().all_migrations())
        set_store(store)
        try:
            result = send_sms(
                phone,
                "notify.sms.test",
                kind="notify.test",
                dedupe_key=f"notify.test:{uuid.uuid4().hex}",
                lang=lang,
                store=store,
            )
        except NotifyError as exc:
            raise click.ClickException(str(exc)) from exc
        from core.notify import e164

        shown = mask_phone(e164(phone))
        if not result.sent:
            error = f": {result.error}" if result.error else ""
            raise click.ClickException(
                render(
                    "notify.cli.not_sent", get_locale(), to=shown, status=result.status, error=error
                )
            )
        click.echo(render("notify.cli.sent", get_locale(), to=shown, sender=get_sender().name))
    finally:
        set_store(None)
        store.close()
