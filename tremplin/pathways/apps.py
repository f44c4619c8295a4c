from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PathwaysConfig(AppConfig):
    name = "tremplin.pathways"
    label = "pathways"
    verbose_name = _("Pathways")

    def ready(self):
        # The app's section of the person's page (people.page); imported here, when the
        # models are ready.
        from tremplin.people.page import register_section

        from .page import pathway_section

        register_section("pathway", pathway_section)
