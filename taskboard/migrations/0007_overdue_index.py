"""A partial index for the dashboard's overdue list: the red tasks in deadline order,
covering the columns the list's filters read (see Task.Meta.indexes)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("taskboard", "0006_api_tokens"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("due_state", "red")),
                fields=[
                    "deadline",
                    "code",
                    "id",
                    "state",
                    "year",
                    "origin",
                    "deadline_source",
                    "assigned_on",
                    "lead_unit",
                    "lead_leader",
                ],
                name="task_overdue_idx",
            ),
        ),
    ]
