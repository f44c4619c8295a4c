"""Interventions logged by a clinician keep the clinician's domain: their note is read as a note
of that domain (issue 10, item 12). Existing interventions get it from their author's staff
record as it is today (the role at logging time is not known): an author who is a clinician now
(function "other" with a clinical domain) is taken to have been one then."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    Intervention = apps.get_model("activity", "Intervention")
    Staff = apps.get_model("organisations", "Staff")
    clinicians = (
        Staff.objects.filter(function="other", user__isnull=False)
        .exclude(clinical_domain="")
        .values_list("user_id", "clinical_domain")
    )
    by_domain = {}
    for user_id, domain in clinicians:
        by_domain.setdefault(domain, []).append(user_id)
    for domain, user_ids in by_domain.items():
        for start in range(0, len(user_ids), 500):
            Intervention.objects.filter(created_by_id__in=user_ids[start : start + 500]).update(note_domain=domain)


class Migration(migrations.Migration):
    dependencies = [
        ("activity", "0004_dates_in_sane_range"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="intervention",
            name="note_domain",
            field=models.CharField(
                blank=True,
                choices=[("medical", "medical"), ("psychological", "psychological"), ("social", "social")],
                default="",
                editable=False,
                max_length=16,
                verbose_name="domain of the note",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
