"""The permission grid: every role on every page of the URL configuration.

The pages are discovered from `django.urls.get_resolver()`, so a page added later is called too;
a page the grid does not know how to build makes `test_every_url_is_in_the_grid` fail with the
instruction to add it to tests/security/urlmap.py. Expected answers come from the permission
table (`access.permissions.TABLE`, shown in docs/permissions.md) and the scopes:
allowed -> 200, outside the scope -> 404, seen but not allowed -> 403, signed out -> sign-in page.
"""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import client_for

from . import urlmap

WHO = [*urlmap.ROLES, None]


def test_every_url_is_in_the_grid():
    problems = urlmap.unknown_urls()
    assert not problems, "\n".join(problems)


def _call(client, name, url):
    method = urlmap.SPEC[name].method
    return client.post(url) if method == "post" else client.get(url)


@pytest.mark.django_db
@pytest.mark.parametrize("who", WHO, ids=[w or "anonymous" for w in WHO])
def test_permission_grid(who):
    world = urlmap.build_world()
    client = Client() if who is None else client_for(world.users[who])
    wrong = []
    for name in urlmap.routes():
        spec = urlmap.SPEC[name]
        sides = ["lead", "partner"] if spec.kind else [None]
        for side in sides:
            record = world.records[side][spec.kind] if spec.kind else None
            url = urlmap.url_for(name, record)
            response = _call(client, name, url)
            allowed = urlmap.expected(name, who, side)
            if response.status_code not in allowed:
                wrong.append(
                    f"{who or 'anonymous'} {spec.method.upper()} {url} ({name}, {side}): "
                    f"{response.status_code}, expected {sorted(allowed)}"
                )
            if who is None and response.status_code == 302 and not spec.public:
                assert response.url.startswith("/connexion/"), (name, response.url)
            out_of_scope = (
                spec.kind and who is not None and not urlmap.SEES[spec.kind][who][1 if side == "partner" else 0]
            )
            if out_of_scope:
                # An outsider learns nothing: a record that does not exist answers the same.
                missing = _call(client, name, urlmap.url_for(name, pk=987654))
                if missing.status_code != response.status_code:
                    wrong.append(
                        f"{who} {name}: {response.status_code} for a record out of scope but "
                        f"{missing.status_code} for a record that does not exist"
                    )
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_a_user_signed_in_with_a_password_only_reaches_no_page(django_user_model):
    """Every page but the sign-in steps asks for the second factor first."""
    world = urlmap.build_world()
    client = Client()
    client.force_login(world.users["manager"])
    for name in urlmap.routes():
        spec = urlmap.SPEC[name]
        if spec.public:
            continue
        record = world.records["lead"][spec.kind] if spec.kind else None
        response = _call(client, name, urlmap.url_for(name, record))
        assert response.status_code == 302, name
        assert response.url.startswith("/connexion/double-authentification/"), (name, response.url)
