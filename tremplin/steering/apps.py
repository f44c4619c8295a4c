from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    name = "tremplin.steering"
    label = "steering"
    verbose_name = _("Steering")

    def ready(self):
        from tremplin.audit.display import register

        register("steering.exported", _("exported the steering indicators"))
        register("steering.transmitted", _("recorded a quarterly transmission"))
        register("bundle.imported", _("imported a bundle"))
        register("bundle.refused", _("tried to import a bundle with errors (nothing written)"))
        register("bundle.exported", _("exported a bundle"))
        register("person.imported", _("created or updated the file from an imported bundle"))
        register("platform.imported", _("created or changed the platform from an imported bundle"))
        register("organisation.imported", _("created or changed an organisation from an imported bundle"))
        register("staff.imported", _("created or changed a staff record from an imported bundle"))
        register("employer.imported", _("created or changed an employer from an imported bundle"))
