"""The real-browser fixtures of tests/browser, for the one browser test behind nginx."""

from tests.browser.conftest import browser, browser_page  # noqa: F401 - fixtures
