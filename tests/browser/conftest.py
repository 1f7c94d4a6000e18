"""The browser fixtures live in tests/conftest.py (one Playwright per session for every
app's browser tests); these helpers are re-exported for the tests here."""

from tests.playwright import PHONE, log_in

__all__ = ["PHONE", "log_in"]
