"""The audit trail: what writes a record, that records are never changed, and retention."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from audit.choices import AuditAction, AuditResult
from audit.models import AuditRecord, AuditRecordIsAppendOnly
from audit.services import RetentionTooShort, record_write, records_prune
from taskboard.choices import TaskState

from ..factories import TaskFactory

PASSWORD = "correct horse battery staple"


def only_record(**filters) -> AuditRecord:
    records = list(AuditRecord.objects.filter(**filters))
    assert len(records) == 1, records
    return records[0]


def acknowledge(client, task):
    return client.post(
        reverse("taskboard:task_action", args=[task.pk, "acknowledge"]), {"version": task.version}
    )


# ---------------------------------------------------------------------------
# Log-ins and log-outs


def test_a_log_in_is_recorded_with_the_person_and_address(client, city):
    client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    record = only_record(action=AuditAction.LOGIN)
    assert (record.user, record.username, record.result) == (city.alice, "alice", "ok")
    assert record.ip == "127.0.0.1"
    # The log-in form's POST is recorded once, as the log-in, not again as a change.
    assert not AuditRecord.objects.filter(action=AuditAction.WRITE).exists()


def test_a_failed_log_in_is_recorded_with_the_username_tried(client, city):
    client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    client.post(reverse("login"), {"username": "nobody", "password": "wrong"})

    failed = AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).order_by("pk")
    assert [(r.username, r.user, r.result) for r in failed] == [
        ("alice", None, AuditResult.FAILED),
        ("nobody", None, AuditResult.FAILED),
    ]


def test_a_log_out_is_recorded(client, city):
    client.force_login(city.uma)
    client.post(reverse("logout"))

    record = only_record(action=AuditAction.LOGOUT)
    assert (record.user, record.result) == (city.uma, AuditResult.OK)


def test_the_lockout_after_too_many_failures_is_recorded_as_failures(client, city, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(3):
        client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})

    assert response.status_code == 429
    assert AuditRecord.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 4
    assert not AuditRecord.objects.filter(action=AuditAction.LOGIN).exists()


# ---------------------------------------------------------------------------
# Changes and refusals


def test_a_change_is_recorded_with_its_object_and_outcome(client, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ASSIGNED)
    client.force_login(city.uma)

    assert acknowledge(client, task).status_code == 302

    record = only_record(action=AuditAction.WRITE)
    assert (record.user, record.username) == (city.uma, "uma")
    assert (record.method, record.status, record.result) == ("POST", 302, AuditResult.OK)
    assert (record.object_type, record.object_id) == ("taskboard.task", str(task.pk))
    assert task.code in record.object_repr
    assert record.path == f"/tasks/{task.pk}/acknowledge/"


def test_a_refused_change_is_recorded_as_refused(client, city):
    task = TaskFactory(lead_unit=city.unit_a, state=TaskState.ASSIGNED)
    client.force_login(city.alice)

    assert acknowledge(client, task).status_code == 403

    record = only_record(action=AuditAction.WRITE)
    assert (record.user, record.status, record.result) == (city.alice, 403, AuditResult.REFUSED)
    assert record.object_id == str(task.pk)


def test_a_change_that_fails_is_recorded_as_failed(client, city):
    task = TaskFactory(lead_unit=city.unit_b, state=TaskState.ASSIGNED)
    client.force_login(city.uma)

    assert acknowledge(client, task).status_code == 404

    record = only_record(action=AuditAction.WRITE)
    assert (record.status, record.result) == (404, AuditResult.FAILED)


def test_a_refused_page_is_recorded_but_an_allowed_one_is_not(client, city):
    client.force_login(city.uma)

    assert client.get(reverse("meetings:index")).status_code == 403
    assert client.get(reverse("taskboard:task_list")).status_code == 200

    record = only_record(action__in=[AuditAction.ACCESS, AuditAction.WRITE])
    assert (record.action, record.result, record.method) == (
        AuditAction.ACCESS,
        AuditResult.REFUSED,
        "GET",
    )
    assert (record.user, record.path, record.status) == (city.uma, "/meetings/", 403)


def test_a_refused_change_by_a_stranger_is_recorded_without_a_user(client, city):
    client.logout()
    response = client.post(reverse("taskboard:notifications_mark_read"))

    assert response.status_code == 302  # to the log-in page
    record = only_record(action=AuditAction.WRITE)
    assert (record.user, record.username) == (None, "")


def test_a_write_in_the_admin_names_the_model_and_row(admin_client, city):
    unit = city.unit_a
    url = reverse("admin:taskboard_unit_change", args=[unit.pk])
    admin_client.post(url, {"name": "市发展改革委", "kind": unit.kind})

    record = AuditRecord.objects.filter(action=AuditAction.WRITE).latest("pk")
    assert (record.object_type, record.object_id) == ("taskboard.unit", str(unit.pk))


# ---------------------------------------------------------------------------
# Append only


def test_a_record_cannot_be_changed_or_deleted(db):
    record = record_write(action=AuditAction.LOGIN, result=AuditResult.OK, username="x")

    record.username = "y"
    with pytest.raises(AuditRecordIsAppendOnly):
        record.save()
    with pytest.raises(AuditRecordIsAppendOnly):
        record.delete()
    with pytest.raises(AuditRecordIsAppendOnly):
        AuditRecord.objects.update(username="y")
    with pytest.raises(AuditRecordIsAppendOnly):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get().username == "x"


def test_deleting_a_user_keeps_their_records_under_their_name(db):
    user = get_user_model().objects.create_user("temp")
    record_write(action=AuditAction.LOGIN, result=AuditResult.OK, user=user)

    user.delete()

    record = AuditRecord.objects.get()
    assert (record.user, record.username) == (None, "temp")


def test_the_admin_shows_the_trail_but_offers_no_add_change_or_delete(admin_client):
    record = record_write(
        action=AuditAction.LOGIN_FAILED, result=AuditResult.FAILED, username="zhangsan"
    )
    changelist = reverse("admin:audit_auditrecord_changelist")

    response = admin_client.get(changelist, {"q": "zhangsan"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [record]
    actions = [name for name, _label in response.context["action_form"].fields["action"].choices]
    assert "export_csv" in actions and "export_xlsx" in actions
    assert "delete_selected" not in actions
    assert admin_client.get(reverse("admin:audit_auditrecord_add")).status_code == 403
    change = admin_client.post(
        reverse("admin:audit_auditrecord_change", args=[record.pk]), {"username": "someone"}
    )
    assert change.status_code == 403
    delete = admin_client.post(
        reverse("admin:audit_auditrecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert AuditRecord.objects.filter(pk=record.pk, username="zhangsan").exists()


def test_the_admin_exports_the_selected_records_as_csv(admin_client, admin_user):
    record = record_write(action=AuditAction.LOGIN, result=AuditResult.OK, user=admin_user)

    response = admin_client.post(
        reverse("admin:audit_auditrecord_changelist"),
        {"action": "export_csv", "_selected_action": [record.pk]},
    )

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 2 and ",admin," in lines[1]


# ---------------------------------------------------------------------------
# Retention


def records_aged(*days) -> list[AuditRecord]:
    now = timezone.now()
    return [
        AuditRecord.objects.create(
            at=now - datetime.timedelta(days=age), action=AuditAction.LOGIN, result="ok"
        )
        for age in days
    ]


def test_pruning_deletes_only_records_older_than_the_retention_and_once(db, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    old, _kept, _new = records_aged(181, 179, 0)
    now = timezone.now()

    assert records_prune(now=now) == 1
    assert records_prune(now=now) == 0

    assert not AuditRecord.objects.filter(pk=old.pk).exists()
    assert AuditRecord.objects.count() == 2


def test_a_longer_retention_keeps_more(db, settings):
    settings.AUDIT_RETENTION_DAYS = 365
    records_aged(181, 366)

    assert records_prune(now=timezone.now()) == 1
    assert AuditRecord.objects.count() == 1


def test_a_retention_under_180_days_is_refused_and_deletes_nothing(db, settings):
    records_aged(200)
    settings.AUDIT_RETENTION_DAYS = 90

    with pytest.raises(RetentionTooShort):
        records_prune(now=timezone.now())
    with pytest.raises(CommandError, match="180"):
        call_command("prune_audit")
    settings.AUDIT_RETENTION_DAYS = 180
    with pytest.raises(CommandError, match="180"):
        call_command("prune_audit", "--days", "30")
    assert AuditRecord.objects.count() == 1


def test_the_command_and_the_beat_job_prune_once(db, settings, capsys):
    from audit.tasks import prune
    from supervision.schedule import BEAT_SCHEDULE

    settings.AUDIT_RETENTION_DAYS = 180
    records_aged(181, 182, 10)

    call_command("prune_audit")
    call_command("prune_audit")
    assert capsys.readouterr().out.splitlines() == [
        "Deleted 2 audit records.",
        "Deleted 0 audit records.",
    ]
    assert prune.apply().get() == 0
    assert BEAT_SCHEDULE["prune-audit"]["task"] == prune.name


def test_the_command_counts_back_from_a_given_date(db, settings):
    settings.AUDIT_RETENTION_DAYS = 180
    records_aged(10)

    call_command(
        "prune_audit", "--date", (timezone.localdate() + datetime.timedelta(200)).isoformat()
    )

    assert AuditRecord.objects.count() == 0
