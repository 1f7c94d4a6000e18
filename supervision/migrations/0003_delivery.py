# Notifications by email and SMS: each person's channels and the delivery log.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0002_notices'),
        ('taskboard', '0004_edit_and_reopen_events'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChannelPreference',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('email_mode', models.CharField(choices=[('off', 'Off'), ('immediate', 'Each notification at once'), ('digest', 'One daily digest')], default='digest', max_length=10, verbose_name='email')),
                ('sms_mode', models.CharField(choices=[('off', 'Off'), ('immediate', 'Each notification at once'), ('digest', 'One daily digest'), ('urgent', 'Urgent matters only, at once')], default='urgent', max_length=10, verbose_name='SMS')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='channel_preference', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'channel preference',
                'verbose_name_plural': 'channel preferences',
                'constraints': [models.CheckConstraint(condition=models.Q(('email_mode__in', ['off', 'immediate', 'digest'])), name='channel_preference_email_mode_valid'), models.CheckConstraint(condition=models.Q(('sms_mode__in', ['off', 'immediate', 'digest', 'urgent'])), name='channel_preference_sms_mode_valid')],
            },
        ),
        migrations.CreateModel(
            name='Delivery',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('email', 'Email'), ('sms', 'SMS')], max_length=10, verbose_name='channel')),
                ('address', models.CharField(max_length=254, verbose_name='address')),
                ('subject', models.CharField(blank=True, max_length=200, verbose_name='message subject')),
                ('body', models.TextField(verbose_name='body')),
                ('digest_date', models.DateField(blank=True, null=True, verbose_name='digest of')),
                ('covers', models.JSONField(blank=True, default=dict, verbose_name='covers')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('sending', 'Sending'), ('sent', 'Sent'), ('deferred', 'Deferred (quiet hours)'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='delivery status')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('last_error', models.TextField(blank=True, verbose_name='last error')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='queued at')),
                ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt at')),
                ('claimed_at', models.DateTimeField(blank=True, null=True, verbose_name='claimed at')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to='taskboard.taskevent', verbose_name='event')),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deliveries', to=settings.AUTH_USER_MODEL, verbose_name='recipient')),
            ],
            options={
                'verbose_name': 'delivery',
                'verbose_name_plural': 'deliveries',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(condition=models.Q(('status__in', ['queued', 'deferred', 'sending'])), fields=['next_attempt_at'], name='delivery_waiting_idx')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('digest_date__isnull', False)), fields=('recipient', 'channel', 'digest_date'), name='one_digest_per_person_channel_and_date'), models.UniqueConstraint(condition=models.Q(('event__isnull', False)), fields=('recipient', 'channel', 'event'), name='one_delivery_per_person_channel_and_event'), models.CheckConstraint(condition=models.Q(('channel__in', ['email', 'sms'])), name='delivery_channel_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['queued', 'sending', 'sent', 'deferred', 'failed'])), name='delivery_status_valid')],
            },
        ),
    ]
