"""docs/permissions.md shows exactly the permission table of the code."""

from __future__ import annotations

from pathlib import Path

from django.utils import translation

from tremplin.access.permissions import TABLE, markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"


def test_the_documented_table_is_the_table_of_the_code():
    text = DOC.read_text()
    documented = text.split("<!-- TABLE:BEGIN", 1)[1].split("-->", 1)[1].split("<!-- TABLE:END -->", 1)[0].strip()
    with translation.override("fr"):
        expected = markdown_table()
    assert documented == expected, "docs/permissions.md is out of date: run `tremplin permissions_table` and paste"
    assert all(f"`{action}`" in documented for action in TABLE)
