"""The individual support agreement as a PDF: generated, opened, its text holds the parties and terms."""

from __future__ import annotations

import datetime as dt
import io
import re

import pypdf
import pytest

from tests.factories import ContractFactory, EmployerFactory, EpisodeFactory, PauseFactory, PrescriptionFactory
from tremplin.employment import services
from tremplin.employment.pdf import agreement_filename, render_agreement_pdf
from tremplin.lib.dates import today


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def episode(person, counsellor):
    person.legal_representative = "Marie Durand"
    person.save()
    prescription = PrescriptionFactory(
        person=person,
        date=today() - dt.timedelta(days=70),
        prescriber="cap_emploi",
        prescriber_organisation="Cap emploi Aveyron",
    )
    return EpisodeFactory(prescription=prescription, admitted_on=today() - dt.timedelta(days=60), counsellor=counsellor)


def test_agreement_pdf_names_the_parties_and_the_terms(episode, counsellor, lead, platform):
    employer = EmployerFactory(
        platform=platform,
        name="Boulangerie du Tarn",
        siret="73282932000074",
        occupational_health_service="SPST Aveyron",
    )
    ContractFactory(
        person=episode.person,
        employer=employer,
        type="cdi",
        start=today() - dt.timedelta(days=10),
        job_title="vendeuse",
    )
    agreement = services.generate_agreement(
        counsellor.user,
        episode,
        employer=employer,
        terms="Un entretien toutes les deux semaines dans les locaux de la plateforme.",
        workplace_terms="Une visite mensuelle sur le lieu de travail, convenue avec l’employeur.",
    )
    text = pdf_text(render_agreement_pdf(agreement))
    assert "Convention individuelle d’accompagnement" in text
    assert lead.name in text  # the managing organisation (chef de file)
    assert "Jeanne DURAND" in text and "représentée par Marie Durand" in text  # the person and her representative
    assert "Boulangerie du Tarn" in text and "73282932000074" in text and "SPST Aveyron" in text  # the employer
    assert "Claire Martin" in text  # the counsellor
    assert "Un entretien toutes les deux semaines dans les locaux de la plateforme." in text
    assert "Une visite mensuelle sur le lieu de travail, convenue avec l’employeur." in text
    assert "Contrat à durée indéterminée (CDI)" in text and "vendeuse" in text
    assert "Pour l’employeur" in text  # a signature box for each of the three parties
    assert agreement_filename(agreement) == "convention-durand-jeanne-v1.pdf"


def test_amendment_pdf_records_the_veille_with_its_end_and_reactivation_conditions(episode, counsellor):
    services.generate_agreement(counsellor.user, episode, terms="Un entretien par mois.")
    start, end = today() - dt.timedelta(days=3), today() + dt.timedelta(days=90)
    pause = PauseFactory(
        episode=episode, start=start, end=end, reactivation_conditions="Reprise à la sortie de l’hôpital."
    )
    amendment = services.generate_agreement(
        counsellor.user,
        episode,
        pause=pause,
        terms="Un entretien par mois.",
        change_summary="Mise en veille à la demande de la personne.",
    )
    text = pdf_text(render_agreement_pdf(amendment))
    assert "Avenant n° 1 à la convention individuelle d’accompagnement" in text
    assert "Mise en veille à la demande de la personne." in text
    assert f"du {start:%d/%m/%Y} au {end:%d/%m/%Y} inclus" in text
    assert "Reprise à la sortie de l’hôpital." in text
    assert "ne constitue pas une sortie du dispositif" in text
    assert "Pour l’employeur" not in text  # no employer named: two parties sign


def test_the_pdf_of_a_version_does_not_change_when_the_file_changes(episode, counsellor):
    agreement = services.generate_agreement(counsellor.user, episode, terms="Un entretien par mois.")
    person = episode.person
    person.last_name = "Martin-Durand"
    person.save()
    agreement.refresh_from_db()
    assert "Jeanne DURAND" in pdf_text(render_agreement_pdf(agreement))
