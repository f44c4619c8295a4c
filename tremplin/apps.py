import gc

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TremplinConfig(AppConfig):
    """The shell of the application: layout, home page, error pages, template tags."""

    name = "tremplin"
    label = "tremplin"
    verbose_name = _("Tremplin")

    def ready(self):
        from tremplin.lib import db  # noqa: F401  (registers the `in_ids` lookup for every app)

        # The modules, classes and settings loaded by now live as long as the process: move them
        # out of the cyclic garbage collector's reach (gc.freeze), so that its full collections,
        # set off by pages that build thousands of rows, no longer walk them all (pauses of 20 to
        # 40 ms that made the 95th percentile of the team's to-do list; docs/daily-work.md).
        gc.freeze()
