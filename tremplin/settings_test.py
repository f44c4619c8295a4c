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
