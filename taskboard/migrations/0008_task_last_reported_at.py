from django.db import migrations, models
from django.db.models import Exists, Max, OuterRef, Subquery


def fill_last_reported_at(apps, schema_editor):
    """Every task's latest progress report time, as `task_report_progress` keeps it."""
    Task = apps.get_model("taskboard", "Task")
    ProgressReport = apps.get_model("taskboard", "ProgressReport")
    latest = (
        ProgressReport.objects.filter(task=OuterRef("pk"))
        .order_by()
        .values("task")
        .annotate(latest=Max("reported_at"))
        .values("latest")
    )
    reported = Exists(ProgressReport.objects.filter(task=OuterRef("pk")))
    Task.objects.filter(reported).update(last_reported_at=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("taskboard", "0007_overdue_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="task",
            name="last_reported_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last progress report at"
            ),
        ),
        migrations.RunPython(fill_last_reported_at, migrations.RunPython.noop, elidable=True),
    ]
