import contextvars
import threading

from core.i18n import set_locale, t
from core.ui.downloads import on_click


def test_download_data_is_built_on_click_in_the_page_language(settings):
    """Download data runs on Streamlit's server thread: it keeps the session's language."""
    calls: list[str] = []

    def page():  # a session in English, in its own context like a script run
        set_locale("en")
        return on_click(lambda key: calls.append(t(key)) or b"ok", "login.title"), t("login.title")

    data, english = contextvars.copy_context().run(page)
    assert calls == []  # nothing built until clicked
    out: list[bytes] = []
    thread = threading.Thread(target=lambda: out.append(data()))
    thread.start()
    thread.join()
    assert out == [b"ok"]
    assert calls == [english] != [t("login.title")]
