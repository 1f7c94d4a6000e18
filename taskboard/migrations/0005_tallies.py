# The dashboard's summaries: tally rows kept exact as tasks change, and the
# behind-schedule marks kept beside the light (taskboard/tallies.py).
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("taskboard", "0004_edit_and_reopen_events")]

    operations = [
        migrations.CreateModel(
            name="BehindSchedule",
            fields=[
                (
                    "task",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="behind_schedule",
                        serialize=False,
                        to="taskboard.task",
                    ),
                ),
            ],
            options={
                "verbose_name": "task behind schedule",
                "verbose_name_plural": "tasks behind schedule",
            },
        ),
        migrations.CreateModel(
            name="Tally",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("grain", models.CharField(max_length=16)),
                ("year", models.PositiveSmallIntegerField()),
                ("month", models.PositiveIntegerField(default=0)),
                ("origin", models.CharField(max_length=20)),
                ("source", models.CharField(max_length=30)),
                ("unit", models.BigIntegerField(default=0)),
                ("leader", models.BigIntegerField(default=0)),
                ("standing", models.CharField(max_length=12)),
                ("count", models.IntegerField(default=0)),
            ],
            options={
                "verbose_name": "tally",
                "verbose_name_plural": "tallies",
                "indexes": [
                    models.Index(fields=["grain", "year", "unit"], name="tally_grain_unit"),
                    models.Index(fields=["grain", "year", "leader"], name="tally_grain_leader"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "grain",
                            "year",
                            "month",
                            "origin",
                            "source",
                            "unit",
                            "leader",
                            "standing",
                        ),
                        name="tally_one_row_per_key",
                    )
                ],
            },
        ),
    ]
