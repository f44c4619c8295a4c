"""Production settings pass Django's deploy checks; the French catalogue is complete; English works."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tremplin"


def test_check_deploy_is_clean_with_the_documented_production_settings(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tremplin.settings",
        "SECRET_KEY": "p" * 20 + "-production-like-secret-key-with-enough-entropy-" + "q" * 20,
        "ALLOWED_HOSTS": "tremplin.example.org",
        "DEBUG": "0",
        "TREMPLIN_HTTPS": "1",
        "TREMPLIN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "-m", "tremplin", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_passwords_are_hashed_with_argon2_and_at_least_12_characters():
    from tremplin import settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    lengths = [v.get("OPTIONS", {}).get("min_length") for v in production.AUTH_PASSWORD_VALIDATORS]
    assert 12 in lengths


def test_french_catalogue_is_complete():
    catalogue = polib.pofile(str(PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [
        entry.msgid for entry in catalogue if not entry.obsolete and (not entry.translated() or "fuzzy" in entry.flags)
    ]
    assert not missing, f"{len(missing)} French translations missing, e.g. {missing[:5]}"
    mo = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.mo"
    assert (
        mo.exists()
        and mo.stat().st_mtime >= (PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po").stat().st_mtime - 1
    )


def test_placeholders_survive_translation():
    catalogue = polib.pofile(str(PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    pattern = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}")
    for entry in catalogue:
        if entry.msgid_plural:
            sources = [entry.msgid_plural] + [entry.msgid]
            targets = list(entry.msgstr_plural.values())
        else:
            sources, targets = [entry.msgid], [entry.msgstr]
        expected = set().union(*(set(pattern.findall(s)) for s in sources))
        for target in targets:
            found = set(pattern.findall(target))
            assert found <= expected and (found or not expected or entry.msgid_plural), entry.msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext not installed")
def test_every_string_in_the_code_is_in_the_french_catalogue(tmp_path):
    """Extract the strings again from a copy of the code: none may lack a French translation."""
    copy = tmp_path / "tremplin"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--settings=tremplin.settings_test",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    catalogue = polib.pofile(str(copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in catalogue if not e.translated() or "fuzzy" in e.flags]
    assert not missing, f"Strings without French translation (run makemessages and translate): {missing[:8]}"


def test_english_is_available(as_counsellor):
    as_counsellor.post(reverse("set_language"), {"language": "en", "next": "/"})
    content = as_counsellor.get(reverse("person_list")).content.decode()
    assert "New person" in content
    as_counsellor.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert "Nouvelle personne" in as_counsellor.get(reverse("person_list")).content.decode()
