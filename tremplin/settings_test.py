"""Settings for the test suite: the real settings, over plain HTTP, with a fast password hasher."""

import os

os.environ.setdefault("TREMPLIN_HTTPS", "0")
os.environ.setdefault("SECRET_KEY", "tests-only-not-secret-" + "x" * 40)

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file rather than Django's shared in-memory database: in shared-cache mode SQLite answers
    # "database table is locked" at once, without waiting, when a live server's or a background
    # import's thread writes while the test's thread does; with a file, the usual lock and its
    # 20-second timeout apply, as in production. (pytest-xdist adds a suffix per worker.)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-database.sqlite3")}  # noqa: F405
