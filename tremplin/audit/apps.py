from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tremplin.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from . import guard  # noqa: F401  (registers the deploy check of the audit log's guard)
