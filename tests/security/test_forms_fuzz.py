"""Hostile input on every form: no server error, no raw HTML echoed, nothing written on refusal.

The forms are discovered from the URL configuration (tests/security/urlmap.py): each page that
shows a POST form is fetched, its fields are read from the HTML, and hypothesis posts random and
hostile values (very long strings, HTML, SQL fragments, impossible dates and numbers, control
characters). When the page answers with the form again (refused), no record of the database has
changed (the audit log may only have gained reads).
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import client_for
from tremplin.audit.display import READ_ACTIONS
from tremplin.audit.models import AuditEntry

from . import urlmap

SCRIPT = "<script>alert('x')</script>"
HOSTILE = [
    "",
    " ",
    "A" * 10000,
    SCRIPT,
    '"><img src=x onerror=alert(1)>',
    "'; DROP TABLE people_person; --",
    "1 OR 1=1",
    "2024-02-30",
    "31/31/2024",
    "0000-00-00",
    "9999-12-31",
    "0001-01-01",
    "-1",
    "0",
    "1e309",
    "NaN",
    "-Infinity",
    "99999999999999999999999",
    "1,5",
    "ÉÀ€😀",
    "\x00",
    "%(name)s",
    "{{ 7*7 }}",
    "../../etc/passwd",
]
# Tables that change without a form being accepted: sessions, lockout counters, second-factor
# devices (their counters move on each check), and the audit log (checked separately).
IGNORED = {"sessions.session", "audit.auditentry", "axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
ALLOWED_NEW_ENTRIES = READ_ACTIONS | {"account.otp_failed", "funder.viewed", "prescriber.viewed", "audit.viewed"}


class FormParser(HTMLParser):
    """The POST forms of a page: action and fields (name -> kind and options)."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": {}}
        elif self._form is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in ("submit", "button"):
            kind = a.get("type") or "text"
            field = self._form["fields"].setdefault(a["name"], {"kind": kind, "options": []})
            if kind in ("radio", "checkbox", "hidden"):
                field["options"].append(a.get("value") or "on")
        elif tag == "textarea" and a.get("name"):
            self._form["fields"][a["name"]] = {"kind": "text", "options": []}
        elif tag == "select" and a.get("name"):
            self._select = self._form["fields"][a["name"]] = {"kind": "select", "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def main_form(html: str):
    parser = FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if not f["action"].startswith(("/deconnexion/", "/i18n/"))]
    forms = [f for f in forms if set(f["fields"]) - {"csrfmiddlewaretoken"}]
    return max(forms, key=lambda f: len(f["fields"])) if forms else None


def fingerprint():
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED or model._meta.app_label in ("otp_totp", "otp_static"):
            continue
        state[label] = sorted(map(repr, model.objects.order_by().values_list()))
    return state


def value_for(field):
    options = [o for o in field["options"] if o is not None]
    if field["kind"] == "hidden":
        return st.one_of(st.sampled_from(options or [""]), st.sampled_from(HOSTILE))
    if options:
        return st.one_of(st.sampled_from(options), st.sampled_from(HOSTILE))
    return st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))


def filler(name: str) -> str:
    """Who fills the form: the lead's manager when allowed, else the first user allowed to use it on
    the lead's record (its author for author-only pages)."""
    for who in ["manager"] + [w for w in urlmap.ROLES if w != "manager"]:
        if urlmap.expected(name, who, "lead") == {200}:
            return who
    raise AssertionError(f"nobody may fill {name}")


FORM_PAGES = [name for name in urlmap.SPEC if urlmap.SPEC[name].form and urlmap.SPEC[name].method == "get"]
# Who fills each form: the lead's manager may use nearly every form; the public pages are used
# signed out.


@pytest.mark.django_db
@pytest.mark.parametrize("name", FORM_PAGES)
def test_hostile_input_never_breaks_a_form(name):
    if name not in urlmap.routes():
        pytest.skip("not in this URL configuration")
    world = urlmap.build_world()
    spec = urlmap.SPEC[name]
    client = Client() if spec.public else client_for(world.users[filler(name)])
    record = world.records["lead"][spec.kind] if spec.kind else None
    url = urlmap.url_for(name, record)
    page = client.get(url)
    assert page.status_code == 200, (name, page.status_code)
    if not page["Content-Type"].startswith("text/html"):
        pytest.skip("not a page (a download)")
    form = main_form(page.content.decode())
    if form is None:
        pytest.skip("this page shows no form to post")
    target = form["action"] or url
    fields = {k: v for k, v in form["fields"].items() if k != "csrfmiddlewaretoken"}

    def check(data):
        before = fingerprint()
        last_entry = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
        response = client.post(target, data)
        assert response.status_code < 500, (name, data)
        if response.status_code == 200 and (response.streaming or not response["Content-Type"].startswith("text/html")):
            return  # accepted: the form answered with a download
        if response.status_code == 200:
            content = response.content.decode()
            assert SCRIPT not in content, f"{name}: HTML given in a field is shown unescaped"
            assert fingerprint() == before, f"{name}: the form was refused but the database changed ({data})"
            new = set(AuditEntry.objects.filter(id__gt=last_entry).values_list("action", flat=True))
            assert new <= ALLOWED_NEW_ENTRIES, f"{name}: refused but the audit log recorded {new}"
        else:
            assert response.status_code in (302, 403, 404, 429), (name, response.status_code, data)

    # The same hostile value in every field, for the values that break things most often...
    for value in ("A" * 10000, SCRIPT, "'; DROP TABLE people_person; --", "9999-12-31", "1e309", "\x00"):
        check(dict.fromkeys(fields, value))

    # ...then random mixes.
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.fixed_dictionaries({k: value_for(v) for k, v in fields.items()}))
    def post(data):
        check(data)

    post()
