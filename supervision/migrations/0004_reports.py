from decimal import Decimal

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

# The periodic reports and the quarterly review's scoring rule.


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0003_delivery"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoricalScoringRule",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("effective_from", models.DateField(db_index=True, verbose_name="in force from")),
                (
                    "start_score",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("100"),
                        max_digits=6,
                        verbose_name="start score",
                    ),
                ),
                (
                    "per_overdue_as_lead",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("2"),
                        max_digits=5,
                        verbose_name="points per overdue task as lead unit",
                    ),
                ),
                (
                    "per_overdue_as_co_unit",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=5,
                        verbose_name="points per overdue task as co-unit",
                    ),
                ),
                (
                    "per_late_report",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.5"),
                        max_digits=5,
                        verbose_name="points per late progress report",
                    ),
                ),
                (
                    "per_returned_closure",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=5,
                        verbose_name="points per returned closure request",
                    ),
                ),
                (
                    "excellent_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("95"),
                        max_digits=6,
                        verbose_name="Excellent from (score at least)",
                    ),
                ),
                (
                    "good_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("85"),
                        max_digits=6,
                        verbose_name="Good from (score at least)",
                    ),
                ),
                (
                    "pass_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("70"),
                        max_digits=6,
                        verbose_name="Satisfactory from (score at least)",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical scoring rule",
                "verbose_name_plural": "historical scoring rules",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ScoringRule",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("effective_from", models.DateField(unique=True, verbose_name="in force from")),
                (
                    "start_score",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("100"),
                        max_digits=6,
                        verbose_name="start score",
                    ),
                ),
                (
                    "per_overdue_as_lead",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("2"),
                        max_digits=5,
                        verbose_name="points per overdue task as lead unit",
                    ),
                ),
                (
                    "per_overdue_as_co_unit",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=5,
                        verbose_name="points per overdue task as co-unit",
                    ),
                ),
                (
                    "per_late_report",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.5"),
                        max_digits=5,
                        verbose_name="points per late progress report",
                    ),
                ),
                (
                    "per_returned_closure",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("1"),
                        max_digits=5,
                        verbose_name="points per returned closure request",
                    ),
                ),
                (
                    "excellent_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("95"),
                        max_digits=6,
                        verbose_name="Excellent from (score at least)",
                    ),
                ),
                (
                    "good_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("85"),
                        max_digits=6,
                        verbose_name="Good from (score at least)",
                    ),
                ),
                (
                    "pass_from",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("70"),
                        max_digits=6,
                        verbose_name="Satisfactory from (score at least)",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="note")),
            ],
            options={
                "verbose_name": "scoring rule",
                "verbose_name_plural": "scoring rules",
                "ordering": ["-effective_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("excellent_from__gt", models.F("good_from")),
                            ("good_from__gt", models.F("pass_from")),
                        ),
                        name="scoring_rule_thresholds_descend",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Report",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("monthly_bulletin", "Monthly bulletin"),
                            ("quarterly_review", "Quarterly review"),
                            ("half_year", "Half-year summary"),
                            ("year_end", "Year-end account"),
                            ("executive_meeting", "Report on the previous executive meeting"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("period_start", models.DateField(verbose_name="period from")),
                ("period_end", models.DateField(verbose_name="period to")),
                (
                    "subject_key",
                    models.CharField(blank=True, default="", max_length=60, verbose_name="subject"),
                ),
                ("title", models.CharField(max_length=200, verbose_name="title")),
                ("as_of", models.DateField(verbose_name="figures as of")),
                ("generated_at", models.DateTimeField(verbose_name="generated at")),
                ("snapshot", models.JSONField(default=dict, verbose_name="figures")),
                (
                    "generated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the scheduled job generated it.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="generated by",
                    ),
                ),
            ],
            options={
                "verbose_name": "report",
                "verbose_name_plural": "reports",
                "ordering": ["-period_end", "kind", "-pk"],
                "indexes": [
                    models.Index(fields=["kind", "-period_end"], name="report_kind_period_idx")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("kind", "period_start", "period_end", "subject_key"),
                        name="one_report_per_kind_period_and_subject",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "kind__in",
                                [
                                    "monthly_bulletin",
                                    "quarterly_review",
                                    "half_year",
                                    "year_end",
                                    "executive_meeting",
                                ],
                            )
                        ),
                        name="report_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("period_end__gte", models.F("period_start"))),
                        name="report_period_ordered",
                    ),
                ],
            },
        ),
    ]
