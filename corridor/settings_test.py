"""Settings for the test suite: the production checks off, a fast password hasher."""

import os

os.environ.setdefault("CORRIDOR_ENV", "test")
os.environ.setdefault("CORRIDOR_REQUIRE_MFA", "1")

from corridor.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING = {"version": 1, "disable_existing_loggers": False}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "jobs": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "jobs"},
}
CORRIDOR_AUDIT_ANCHOR_FILE = ""  # tests that anchor give their own file
# Figures are counted at each request; the tests of the kept figures turn this on.
CORRIDOR_FIGURES_MAX_AGE_SECONDS = 0
