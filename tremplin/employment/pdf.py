"""The individual support agreement as a PDF, in French, rendered by WeasyPrint from the version's
content snapshot (so a version reads the same whenever it is downloaded again)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify

from tremplin.pathways.models import Pause, Prescription

from .models import ContractType, EmployerKind, SupportAgreement

DATE_KEYS = {
    "generated_on",
    "birth_date",
    "admitted_on",
    "prescription_date",
    "start",
    "end",
    "planned_end",
    "agreement_date",
}


def _with_dates(value):
    """The content with ISO dates turned back into dates, for the template's date filter."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if key in DATE_KEYS and isinstance(item, str):
                try:
                    result[key] = dt.date.fromisoformat(item)
                    continue
                except ValueError:
                    pass
            result[key] = _with_dates(item)
        return result
    if isinstance(value, list):
        return [_with_dates(item) for item in value]
    return value


def document_context(agreement: SupportAgreement) -> dict:
    content = _with_dates(agreement.content or {})
    contract_types = dict(ContractType.choices)
    employer = content.get("employer")
    if employer:
        employer["kind_label"] = dict(EmployerKind.choices).get(employer.get("kind"), "")
        for contract in employer.get("contracts", []):
            contract["type_label"] = contract_types.get(contract.get("type"), contract.get("type"))
    episode = content.get("episode") or {}
    episode["prescriber_label"] = dict(Prescription.Prescriber.choices).get(episode.get("prescriber"), "")
    pause = content.get("pause")
    if pause:
        pause["requested_by_label"] = dict(Pause.RequestedBy.choices).get(pause.get("requested_by"), "")
    return {"doc": content, "episode": episode, "employer": employer, "pause": pause, "agreement": agreement}


def render_agreement_html(agreement: SupportAgreement) -> str:
    with translation.override("fr"):
        return render_to_string("employment/agreement_pdf.html", document_context(agreement))


def render_agreement_pdf(agreement: SupportAgreement) -> bytes:
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML  # slow to import: only when a document is asked for

    stylesheet = finders.find("tremplin/agreement-print.css")
    return HTML(string=render_agreement_html(agreement)).write_pdf(stylesheets=[CSS(filename=stylesheet)])


def agreement_filename(agreement: SupportAgreement) -> str:
    person = (agreement.content or {}).get("person") or {}
    name = slugify(f"{person.get('last_name', '')}-{person.get('first_name', '')}") or "personne"
    kind = "convention" if agreement.number == 1 else f"avenant-{agreement.number - 1}"
    return f"{kind}-{name}-v{agreement.number}.pdf"
