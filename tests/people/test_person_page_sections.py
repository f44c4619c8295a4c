"""The person's page is assembled from sections the apps register in their AppConfig.ready()
(no dotted paths): pathways, employment and activity each contribute theirs."""

from __future__ import annotations

import pytest

from tremplin.people import page


def test_every_app_registers_its_section_of_the_persons_page_when_ready():
    sections = page.sections()
    assert set(sections) == {"pathway", "employment", "activity"}
    assert sections["pathway"].__module__ == "tremplin.pathways.page"
    assert sections["employment"].__module__ == "tremplin.employment.page"
    assert sections["activity"].__module__ == "tremplin.activity.page"


def test_two_sections_cannot_share_a_name():
    with pytest.raises(ValueError, match="already has a section"):
        page.register_section("activity", lambda file: {})
