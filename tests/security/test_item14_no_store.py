"""Issue 10, item 14: every download of personal data answers `Cache-Control: no-store`.

The test walks every URL of the application (tests/security/urlmap.py) as the lead's manager,
who may download everything staff can; every answer that is a file (not an HTML page) must carry
no-store. The downloads we know of must all be found, so that the walk cannot pass by finding none.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for
from tremplin.activity import services as activity_services

from . import urlmap

KNOWN_DOWNLOADS = {
    "person_export_json",
    "person_export_pdf",
    "person_accesses_csv",
    "agreement_pdf",
    "steering_export",
    "bundle_import_errors",
}


def _is_download(response) -> bool:
    kind = response.get("Content-Type", "")
    return response.status_code == 200 and (
        "attachment" in response.get("Content-Disposition", "") or not kind.startswith("text/html")
    )


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.mark.django_db
def test_item14_every_download_of_the_application_answers_no_store():
    world = urlmap.build_world()
    client = client_for(world.users["manager"])
    downloads, cached = set(), []
    for name in urlmap.routes():
        spec = urlmap.SPEC[name]
        if spec.method != "get" or spec.public:
            continue
        record = world.records["lead"][spec.kind] if spec.kind else None
        response = client.get(urlmap.url_for(name, record))
        if _is_download(response):
            downloads.add(name)
            if not _no_store(response):
                cached.append(f"{name}: Cache-Control={response.get('Cache-Control')!r}")
    # The bundle export answers the form's POST with the file.
    bundle = client.post(reverse("bundle_export"), {"scope": "platform"})
    assert _is_download(bundle)
    if not _no_store(bundle):
        cached.append(f"bundle_export: Cache-Control={bundle.get('Cache-Control')!r}")
    b"".join(bundle.streaming_content)  # read to the end (the file is closed with it)
    assert KNOWN_DOWNLOADS <= downloads, f"downloads not reached by the walk: {KNOWN_DOWNLOADS - downloads}"
    assert not cached, "\n".join(cached)


@pytest.mark.django_db
def test_item14_the_calendar_feed_of_named_appointments_answers_no_store(counsellor):
    token = activity_services.create_calendar_feed(counsellor.user)
    response = Client().get(reverse("calendar_feed", args=[token]))
    assert response.status_code == 200 and _no_store(response)
