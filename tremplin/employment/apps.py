from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "tremplin.employment"
    label = "employment"
    verbose_name = _("Employers and jobs")

    def ready(self):
        # The app's section of the person's page (people.page); imported here, when the
        # models are ready.
        from tremplin.people.page import register_section

        from .page import employment_section

        register_section("employment", employment_section)

        from tremplin.activity.due import register
        from tremplin.audit import display

        from . import due

        register(
            due.missing_agreements,
            due.employer_not_named,
            kinds={
                due.MISSING_AGREEMENT: _("No support agreement"),
                due.UNSIGNED_AGREEMENT: _("Support agreement not signed"),
                due.EMPLOYER_NOT_NAMED: _("Employer not named in the agreement"),
                due.AMENDMENT_UNSIGNED: _("Amendment not signed"),
            },
        )

        for action, sentence in {
            "employer.created": _("created an employer"),
            "employer.updated": _("changed an employer"),
            "employer_contact.created": _("added an employer contact"),
            "employer_contact.updated": _("changed an employer contact"),
            "employer_contact.deleted": _("removed an employer contact"),
            "contract.created": _("recorded a contract"),
            "contract.updated": _("changed a contract"),
            "contract.ended": _("recorded the end of a contract"),
            "contract.deleted": _("deleted a contract"),
            "placement.created": _("recorded a placement"),
            "placement.updated": _("changed a placement"),
            "placement.deleted": _("deleted a placement"),
            "agreement.generated": _("drew up a version of the support agreement"),
            "agreement.signed": _("recorded signature dates of the support agreement"),
            "agreement.downloaded": _("downloaded the support agreement"),
        }.items():
            display.register(action, sentence)
