from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivityConfig(AppConfig):
    name = "tremplin.activity"
    label = "activity"
    verbose_name = _("Daily activity")

    def ready(self):
        # The app's section of the person's page (people.page); imported here, when the
        # models are ready.
        from tremplin.people.page import register_section

        from .page import activity_section

        register_section("activity", activity_section)

        from tremplin.audit import display

        from . import due

        due.register(
            due.interviews_due,
            due.recognitions_ending,
            due.veilles_ending,
            due.contact_risks,
            due.prescriptions_waiting,
            due.appointments,
        )

        for action, sentence in {
            "intervention.logged": _("logged an intervention"),
            "intervention.updated": _("changed an intervention"),
            "intervention.deleted": _("deleted an intervention"),
            "appointment.planned": _("planned an appointment"),
            "appointment.cancelled": _("cancelled an appointment"),
            "appointment.held": _("recorded an appointment as held"),
            "assignment.over_ceiling_resolved": _("marked an over-ceiling alert resolved"),
            "calendar.created": _("created a calendar address"),
            "calendar.replaced": _("replaced their calendar address"),
            "calendar.revoked": _("revoked their calendar address"),
        }.items():
            display.register(action, sentence)
