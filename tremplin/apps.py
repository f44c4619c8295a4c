from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TremplinConfig(AppConfig):
    """The shell of the application: layout, home page, error pages, template tags."""

    name = "tremplin"
    label = "tremplin"
    verbose_name = _("Tremplin")

    def ready(self):
        from tremplin.lib import db  # noqa: F401  (registers the `in_ids` lookup for every app)
