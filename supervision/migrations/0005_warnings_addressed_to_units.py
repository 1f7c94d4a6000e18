import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Warnings are addressed to units and read per person: the per-person WarningNotice rows
# the sweep wrote (~760,000 on a heavy day at a million tasks) give way to WarningRead
# rows written when a person reads a warning, and a per-person "all read up to" mark.

BATCH = 2000


def notices_read_to_reads(apps, schema_editor):
    """Every notice already read becomes a read of its warning by its recipient; the
    unread ones need nothing (unread is what a warning without a read is)."""
    WarningNotice = apps.get_model("supervision", "WarningNotice")
    WarningRead = apps.get_model("supervision", "WarningRead")
    read = WarningNotice.objects.filter(read_at__isnull=False).order_by("pk")
    rows = read.values_list("warning_id", "recipient_id", "read_at")
    batch = []
    for warning_id, reader_id, read_at in rows.iterator(chunk_size=BATCH):
        batch.append(WarningRead(warning_id=warning_id, reader_id=reader_id, read_at=read_at))
        if len(batch) == BATCH:
            WarningRead.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    WarningRead.objects.bulk_create(batch, ignore_conflicts=True)


def reads_to_notices_read(apps, schema_editor):
    """Back again, the reads become read notices; unread notices are not written back (the
    old sweep writes them for the dates it sweeps from then on)."""
    WarningNotice = apps.get_model("supervision", "WarningNotice")
    WarningRead = apps.get_model("supervision", "WarningRead")
    rows = WarningRead.objects.order_by("pk").values_list(
        "warning_id", "reader_id", "warning__created_at", "read_at"
    )
    batch = []
    for warning_id, reader_id, created_at, read_at in rows.iterator(chunk_size=BATCH):
        batch.append(
            WarningNotice(
                warning_id=warning_id,
                recipient_id=reader_id,
                created_at=created_at,
                read_at=read_at,
            )
        )
        if len(batch) == BATCH:
            WarningNotice.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    WarningNotice.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0004_reports"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # A unit's warnings, newest first, and its unread count: one index, in place of
        # the plain one on unit.
        migrations.AlterField(
            model_name="taskwarning",
            name="unit",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="taskboard.unit",
                verbose_name="addressed to",
            ),
        ),
        migrations.AddIndex(
            model_name="taskwarning",
            index=models.Index(
                fields=["unit", "created_at"], name="supervision_unit_id_01e435_idx"
            ),
        ),
        migrations.CreateModel(
            name="WarningRead",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("read_at", models.DateTimeField(verbose_name="read at")),
                (
                    "reader",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="warning_reads",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="read by",
                    ),
                ),
                (
                    "warning",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reads",
                        to="supervision.taskwarning",
                        verbose_name="warning",
                    ),
                ),
            ],
            options={
                "verbose_name": "warning read",
                "verbose_name_plural": "warnings read",
                "ordering": ["-read_at", "-pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("reader", "warning"), name="one_read_per_person_and_warning"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WarningsReadUpTo",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("read_up_to", models.DateTimeField(verbose_name="all read up to")),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="warnings_read_up_to",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "warnings read up to",
                "verbose_name_plural": "warnings read up to",
            },
        ),
        migrations.RunPython(notices_read_to_reads, reads_to_notices_read),
        migrations.DeleteModel(name="WarningNotice"),
    ]
