# The notices (交办单, 催办单, 督办单): models, and the copy recipients seeded as DOMAIN.md
# names them (组织部, 纪委监委（监督局）, 作风办), editable in the admin afterwards.

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

COPY_RECIPIENTS = ["组织部", "纪委监委（监督局）", "作风办"]


def seed_copy_recipients(apps, schema_editor):
    CopyRecipient = apps.get_model("supervision", "CopyRecipient")
    for order, name in enumerate(COPY_RECIPIENTS, start=1):
        CopyRecipient.objects.get_or_create(
            name=name,
            defaults={
                "sort_order": order,
                "for_assignment": False,
                "for_urge": True,
                "for_supervise": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("taskboard", "0004_edit_and_reopen_events"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CopyRecipient',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                ('for_assignment', models.BooleanField(default=False, verbose_name='copied on assignment notices')),
                ('for_urge', models.BooleanField(default=True, verbose_name='copied on urge notices')),
                ('for_supervise', models.BooleanField(default=True, verbose_name='copied on supervise notices')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='sort order')),
                ('unit', models.ForeignKey(blank=True, help_text='The staff of this unit see the notices copied to it.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='taskboard.unit', verbose_name='unit')),
                ('users', models.ManyToManyField(blank=True, help_text='People (usually with the copy recipient role) who see the copies.', related_name='copy_recipients', to=settings.AUTH_USER_MODEL, verbose_name='people')),
            ],
            options={
                'verbose_name': 'copy recipient',
                'verbose_name_plural': 'copy recipients',
                'ordering': ['sort_order', 'name'],
            },
        ),
        migrations.CreateModel(
            name='HistoricalCopyRecipient',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('name', models.CharField(db_index=True, max_length=100, verbose_name='name')),
                ('for_assignment', models.BooleanField(default=False, verbose_name='copied on assignment notices')),
                ('for_urge', models.BooleanField(default=True, verbose_name='copied on urge notices')),
                ('for_supervise', models.BooleanField(default=True, verbose_name='copied on supervise notices')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('sort_order', models.PositiveIntegerField(default=0, verbose_name='sort order')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(blank=True, db_constraint=False, help_text='The staff of this unit see the notices copied to it.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='taskboard.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'historical copy recipient',
                'verbose_name_plural': 'historical copy recipients',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalCopyRecipient_users',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('m2m_history_id', models.AutoField(primary_key=True, serialize=False)),
                ('copyrecipient', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='supervision.copyrecipient')),
                ('history', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, to='supervision.historicalcopyrecipient')),
                ('user', models.ForeignKey(blank=True, db_constraint=False, db_tablespace='', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'HistoricalCopyRecipient_users',
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalNotice',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('assignment', 'Assignment notice'), ('urge', 'Urge notice'), ('supervise', 'Supervise notice')], max_length=20, verbose_name='kind')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('proposed', 'Proposed'), ('approved', 'Approved'), ('signed', 'Signed'), ('issued', 'Issued'), ('withdrawn', 'Withdrawn')], default='draft', max_length=20, verbose_name='state')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('number', models.PositiveIntegerField(blank=True, null=True, verbose_name='number')),
                ('body', models.TextField(max_length=20000, verbose_name='text')),
                ('auto_deadline', models.DateField(blank=True, null=True, verbose_name='for the deadline')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated at')),
                ('issued_at', models.DateTimeField(blank=True, null=True, verbose_name='issued at')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('auto_task', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='taskboard.task', verbose_name='written automatically for')),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='drafted by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical notice',
                'verbose_name_plural': 'historical notices',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('assignment', 'Assignment notice'), ('urge', 'Urge notice'), ('supervise', 'Supervise notice')], max_length=20, verbose_name='kind')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('proposed', 'Proposed'), ('approved', 'Approved'), ('signed', 'Signed'), ('issued', 'Issued'), ('withdrawn', 'Withdrawn')], default='draft', max_length=20, verbose_name='state')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('number', models.PositiveIntegerField(blank=True, null=True, verbose_name='number')),
                ('body', models.TextField(max_length=20000, verbose_name='text')),
                ('auto_deadline', models.DateField(blank=True, null=True, verbose_name='for the deadline')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('issued_at', models.DateTimeField(blank=True, null=True, verbose_name='issued at')),
                ('auto_task', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='taskboard.task', verbose_name='written automatically for')),
                ('copy_recipients', models.ManyToManyField(blank=True, related_name='notices', to='supervision.copyrecipient', verbose_name='copy to')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='drafted by')),
                ('recipients', models.ManyToManyField(related_name='notices_received', to='taskboard.unit', verbose_name='recipients')),
                ('tasks', models.ManyToManyField(related_name='notices', to='taskboard.task', verbose_name='tasks')),
            ],
            options={
                'verbose_name': 'notice',
                'verbose_name_plural': 'notices',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='NoticeStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(choices=[('drafted', 'Drafted'), ('edited', 'Edited'), ('proposed', 'Proposed'), ('approved', 'Approved'), ('signed', 'Signed'), ('issued', 'Issued'), ('rejected', 'Sent back'), ('withdrawn', 'Withdrawn')], max_length=20, verbose_name='step')),
                ('at', models.DateTimeField(verbose_name='at')),
                ('from_state', models.CharField(choices=[('draft', 'Draft'), ('proposed', 'Proposed'), ('approved', 'Approved'), ('signed', 'Signed'), ('issued', 'Issued'), ('withdrawn', 'Withdrawn')], max_length=20, verbose_name='from state')),
                ('to_state', models.CharField(choices=[('draft', 'Draft'), ('proposed', 'Proposed'), ('approved', 'Approved'), ('signed', 'Signed'), ('issued', 'Issued'), ('withdrawn', 'Withdrawn')], max_length=20, verbose_name='to state')),
                ('reason', models.TextField(blank=True, verbose_name='reason')),
                ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by')),
                ('notice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='supervision.notice')),
            ],
            options={
                'verbose_name': 'notice step',
                'verbose_name_plural': 'notice steps',
                'ordering': ['at', 'pk'],
            },
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['state', 'kind'], name='notice_state_kind_idx'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.UniqueConstraint(fields=('kind', 'year', 'number'), name='notice_number_unique_per_kind_and_year'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.UniqueConstraint(fields=('kind', 'auto_task', 'auto_deadline'), name='one_automatic_notice_per_kind_task_and_deadline'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['assignment', 'urge', 'supervise'])), name='notice_kind_valid'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'proposed', 'approved', 'signed', 'issued', 'withdrawn'])), name='notice_state_valid'),
        ),
        migrations.AddConstraint(
            model_name='notice',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('issued_at__isnull', False), ('number__isnull', False), ('state', 'issued')), models.Q(models.Q(('state', 'issued'), _negated=True), ('number__isnull', True)), _connector='OR'), name='notice_numbered_when_issued'),
        ),
        migrations.RunPython(seed_copy_recipients, migrations.RunPython.noop),
    ]
