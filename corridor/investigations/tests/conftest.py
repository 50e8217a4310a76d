"""The browser fixtures of corridor.core.tests, for this app's browser test."""

from corridor.core.tests.conftest import browser, page_for  # noqa: F401
