"""Web security: CSRF on every form, a Content Security Policy without inline scripts, safe
headers, secure cookies and HSTS in production, escaping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tests.factories import PersonFactory
from tremplin.people.models import Person

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "tremplin" / "templates"


def test_the_content_security_policy_forbids_inline_scripts_and_styles(as_counsellor):
    response = as_counsellor.get(reverse("person_list"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_templates_hold_no_inline_script_or_style():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "<script>" not in text and "<script " not in text.replace('<script src="', ""), template
        assert ' style="' not in text and "<style" not in text, template
        assert " onclick=" not in text and " onload=" not in text, template


def test_forms_refuse_a_post_without_the_csrf_token(counsellor, person):
    client = client_for(counsellor)
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("person_edit", args=[person.pk]), {"first_name": "Pirate", "last_name": "X"})
    assert response.status_code == 403
    assert Person.objects.get(pk=person.pk).first_name == "Jeanne"
    anonymous = Client(enforce_csrf_checks=True)
    assert anonymous.post(reverse("login"), {"username": "x", "password": "y"}).status_code == 403


def test_every_post_form_of_the_templates_carries_the_csrf_token():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        posts = text.count('method="post"')
        assert text.count("{% csrf_token %}") >= posts, template


def test_values_are_escaped(lead, as_counsellor):
    person = PersonFactory(organisation=lead, first_name="<script>alert(1)</script>", last_name="<b>Gras</b>")
    content = as_counsellor.get(reverse("person_detail", args=[person.pk])).content.decode()
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<b>Gras</b>" not in content


def test_production_settings_secure_cookies_and_hsts(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tremplin.settings",
        "SECRET_KEY": "s" * 60,
        "ALLOWED_HOSTS": "tremplin.example.org",
        "TREMPLIN_HTTPS": "1",
        "TREMPLIN_VAR_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000, "
        "s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_HTTPONLY, s.SESSION_EXPIRE_AT_BROWSER_CLOSE, "
        "'django_otp.middleware.OTPMiddleware' in s.MIDDLEWARE, 'axes.middleware.AxesMiddleware' in s.MIDDLEWARE)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.split() == ["True"] * 8, result.stderr
