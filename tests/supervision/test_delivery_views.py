"""The person's notification settings page, the warnings list, and the counts by the bell."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from supervision.choices import WarningKind
from supervision.models import (
    ChannelPreference,
    Delivery,
    DeliveryMode,
    TaskWarning,
    WarningRead,
    WarningsReadUpTo,
)
from supervision.warning_reads import unread_warnings, warnings_mark_all_read
from taskboard.context_processors import unread_counts
from tests.factories import UserFactory

from ..factories import TaskFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")
PREFERENCES = reverse("supervision:preferences")
WARNINGS = reverse("supervision:warning_list")
D = datetime.date
MONDAY = D(2026, 10, 12)


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def warn(task, kind=WarningKind.OVERDUE, day=MONDAY, read_by=()):
    """The sweep's warning about `task`, addressed to its lead unit, read by `read_by`."""
    created = datetime.datetime(day.year, day.month, day.day, 7, tzinfo=SHANGHAI)
    warning = TaskWarning.objects.create(
        task=task, kind=kind, for_date=day, unit=task.lead_unit, created_at=created
    )
    for reader in read_by:
        WarningRead.objects.create(warning=warning, reader=reader, read_at=created)
    return warning


def post(client, **fields):
    data = {"email_mode": "digest", "email": "", "sms_mode": "urgent", "phone": "", **fields}
    return client.post(PREFERENCES, data)


# Preferences.


def test_the_page_shows_the_defaults_email_daily_and_sms_for_urgent_matters(client, city):
    client.force_login(city.uma)

    response = client.get(PREFERENCES)

    form = response.context["form"]
    assert form["email_mode"].value() == DeliveryMode.DIGEST
    assert form["sms_mode"].value() == DeliveryMode.URGENT
    with translation.override("zh-hans"):
        overdue = str(WarningKind.OVERDUE.label)
    assert overdue in response.context["urgent_kinds"]
    assert response.context["quiet_hours"] == "22:00–07:00"


def test_saving_keeps_the_modes_and_puts_the_number_on_the_profile(client, city):
    client.force_login(city.uma)

    response = post(
        client,
        email_mode="immediate",
        email="uma@fgw.example.gov.cn",
        sms_mode="digest",
        phone="+86 138-0013-8000",
    )

    assert response.status_code == 302
    preference = ChannelPreference.objects.get(user=city.uma)
    assert (preference.email_mode, preference.sms_mode) == ("immediate", "digest")
    city.uma.refresh_from_db()
    assert city.uma.email == "uma@fgw.example.gov.cn"
    assert city.uma.profile.phone == "13800138000"


@pytest.mark.parametrize("phone", ["12345", "1380013800", "23800138000", "1380013800a"])
def test_a_bad_mobile_number_is_refused_in_chinese_and_nothing_is_saved(client, city, phone):
    client.force_login(city.uma)

    response = post(client, sms_mode="immediate", phone=phone, email="uma@example.gov.cn")

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["phone"]
    assert [e.code for e in errors] == ["invalid_mobile"]
    message = "Enter a mainland mobile number of 11 digits, e.g. 13800138000."
    assert str(errors[0].message) == zh(message)
    assert zh(message) in response.content.decode()
    assert not ChannelPreference.objects.exists()
    city.uma.refresh_from_db()
    assert (city.uma.email, city.uma.profile.phone) == ("", "")


def test_a_channel_turned_on_needs_its_address(client, city):
    client.force_login(city.uma)

    response = post(client, email_mode="digest", email="", sms_mode="urgent", phone="")

    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["email"]] == ["email_needed"]
    assert [e.code for e in errors["phone"]] == ["phone_needed"]
    assert not ChannelPreference.objects.exists()


def test_a_bad_email_address_is_refused(client, city):
    client.force_login(city.uma)

    response = post(client, email="not-an-address", sms_mode="off")

    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["email"]] == ["invalid"]
    assert not ChannelPreference.objects.exists()


def test_everything_off_needs_no_address(client, city):
    client.force_login(city.uma)

    assert post(client, email_mode="off", sms_mode="off").status_code == 302
    assert ChannelPreference.objects.get(user=city.uma).sms_mode == "off"


def test_a_person_without_a_profile_cannot_turn_sms_on(client, db):
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.post(PREFERENCES, {"email_mode": "off", "sms_mode": "urgent"})

    assert response.status_code == 400
    assert "sms_mode" in response.context["form"].errors
    assert client.post(PREFERENCES, {"email_mode": "off", "sms_mode": "off"}).status_code == 302


def test_the_page_needs_a_login(client):
    assert client.get(PREFERENCES).status_code == 302


def test_the_settings_page_query_count_does_not_grow_with_the_log(
    client, city, django_assert_num_queries
):
    client.force_login(city.uma)
    made = [
        Delivery(recipient=city.uma, channel="email", address="u@x.cn", subject=f"s{n}", body="b")
        for n in range(2)
    ]
    Delivery.objects.bulk_create(made)
    with django_assert_num_queries(10):
        assert len(client.get(PREFERENCES).context["recent"]) == 2
    Delivery.objects.bulk_create(
        Delivery(recipient=city.uma, channel="sms", address="13800138000", body=f"b{n}")
        for n in range(30)
    )
    with django_assert_num_queries(10):
        assert len(client.get(PREFERENCES).context["recent"]) == 10


# The warnings list and the counts by the bell.


def test_the_warnings_count_is_on_every_page_beside_the_bell(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(task, read_by=[city.lisa])
    warn(task, WarningKind.DUE_TODAY)
    warn(task, WarningKind.DUE_SOON_1, read_by=[city.uma])
    warn(TaskFactory(lead_unit=city.unit_b))
    client.force_login(city.uma)

    for url in (reverse("taskboard:task_list"), reverse("taskboard:inbox"), PREFERENCES):
        assert 'data-unread-warnings="2"' in client.get(url).content.decode()


def test_the_bell_and_the_unread_warnings_are_counted_in_one_query(city, django_assert_num_queries):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(task, WarningKind.DUE_SOON_3, day=MONDAY - datetime.timedelta(days=3))
    warnings_mark_all_read(user=city.uma)
    warn(task, WarningKind.DUE_SOON_1, read_by=[city.uma])
    warn(task)
    warn(task, WarningKind.DUE_TODAY)
    warn(TaskFactory(lead_unit=city.unit_b))

    with django_assert_num_queries(1):
        counts = unread_counts(city.uma)

    assert counts == {"unread_count": 0, "unread_warning_count": 2}


def test_the_warnings_list_shows_the_warnings_of_the_persons_unit_read_or_unread(client, city):
    task = TaskFactory(lead_unit=city.unit_a, title="管网更新")
    unread = warn(task, read_by=[city.lisa])
    read = warn(task, WarningKind.DUE_SOON_1, day=MONDAY - datetime.timedelta(days=1))
    WarningRead.objects.create(warning=read, reader=city.uma, read_at=read.created_at)
    others = warn(TaskFactory(lead_unit=city.unit_b, title="预算执行"))
    client.force_login(city.uma)

    response = client.get(WARNINGS)

    page = list(response.context["page"])
    assert page == [unread, read]  # newest first
    assert [warning.unread for warning in page] == [True, False]
    html = response.content.decode()
    assert "管网更新" in html
    assert "预算执行" not in html
    assert html.count('class="unread"') == 1
    assert html.count('class="read"') == 1
    assert client.get(reverse("supervision:warning_open", args=[others.pk])).status_code == 404
    assert not WarningRead.objects.filter(warning=others).exists()


def test_opening_a_warning_marks_it_read_for_that_person_and_goes_to_the_task(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    warning = warn(task)
    client.force_login(city.uma)

    response = client.get(reverse("supervision:warning_open", args=[warning.pk]))
    client.get(reverse("supervision:warning_open", args=[warning.pk]))

    assert response.url == reverse("taskboard:task_detail", args=[task.pk])
    assert list(WarningRead.objects.values_list("reader__username", flat=True)) == ["uma"]
    assert not unread_warnings(city.uma).exists()
    assert list(unread_warnings(city.lisa)) == [warning]


def test_mark_all_warnings_read_is_for_the_person_only(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(task)
    warn(task, WarningKind.DUE_TODAY, read_by=[city.uma])
    warn(task, WarningKind.DUE_SOON_1)
    client.force_login(city.uma)

    assert client.get(reverse("supervision:warnings_mark_read")).status_code == 405
    response = client.post(reverse("supervision:warnings_mark_read"), follow=True)

    assert not unread_warnings(city.uma).exists()
    assert unread_warnings(city.lisa).count() == 3
    assert [str(m) for m in response.context["messages"]] == [
        zh("%(count)s warnings marked as read.") % {"count": 2}
    ]


def test_the_warnings_list_query_count_does_not_grow(client, city, django_assert_num_queries):
    client.force_login(city.uma)
    tasks = TaskFactory.create_batch(3, lead_unit=city.unit_a)
    for task in tasks:
        warn(task, read_by=[city.uma, city.lisa])
    with django_assert_num_queries(10):
        assert len(client.get(WARNINGS).context["page"]) == 3

    for task in TaskFactory.create_batch(30, lead_unit=city.unit_a):
        warn(task, read_by=[city.lisa])
    warnings_mark_all_read(user=city.uma)
    for task in TaskFactory.create_batch(5, lead_unit=city.unit_a):
        warn(task, day=MONDAY + datetime.timedelta(days=1))
    with django_assert_num_queries(10):
        page = client.get(WARNINGS).context["page"]
    assert [warning.unread for warning in page] == [True] * 5 + [False] * 20


# The delivery log in the admin.


def test_the_admin_lists_failed_deliveries_and_retries_them_now(
    client, city, django_capture_on_commit_callbacks, monkeypatch
):
    from supervision import tasks

    queued = []
    monkeypatch.setattr(tasks.send_deliveries, "delay", queued.append)
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    failed = Delivery.objects.create(
        recipient=city.uma,
        channel="sms",
        address="13800138000",
        body="b",
        status="failed",
        attempts=5,
        last_error="SmsError: gateway answered 503",
    )
    Delivery.objects.create(recipient=city.uma, channel="email", address="u@x.cn", body="b")
    client.force_login(root)
    url = reverse("admin:supervision_delivery_changelist")

    listed = client.get(url, {"status__exact": "failed"})
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == [failed]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "retry_now", "_selected_action": [failed.pk]}, follow=True
        )

    assert response.status_code == 200
    failed.refresh_from_db()
    assert failed.status == "queued"
    assert queued == [[failed.pk]]


# Who read which warning, in the admin.


def test_the_admin_shows_the_reads_and_cannot_add_or_change_them(client, city):
    warning = warn(TaskFactory(lead_unit=city.unit_a), read_by=[city.uma])
    warnings_mark_all_read(user=city.lisa)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    listed = client.get(reverse("admin:supervision_warningread_changelist"))
    marks = client.get(reverse("admin:supervision_warningsreadupto_changelist"))

    assert [(r.reader, r.warning) for r in listed.context["cl"].result_list] == [
        (city.uma, warning)
    ]
    assert [m.user for m in marks.context["cl"].result_list] == [city.lisa]
    assert client.get(reverse("admin:supervision_warningread_add")).status_code == 403
    read = WarningRead.objects.get()
    client.post(
        reverse("admin:supervision_warningread_change", args=[read.pk]),
        {"read_at_0": "2026-10-13", "read_at_1": "08:00:00"},
    )
    read.refresh_from_db()
    assert read.read_at == warning.created_at


def test_a_person_deleted_in_the_admin_takes_their_reads_along(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(task, day=MONDAY - datetime.timedelta(days=1))
    warnings_mark_all_read(user=city.uma)
    warn(task, read_by=[city.uma])
    assert (WarningRead.objects.count(), WarningsReadUpTo.objects.count()) == (1, 1)
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    response = client.post(reverse("admin:auth_user_delete", args=[city.uma.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not WarningRead.objects.exists()
    assert not WarningsReadUpTo.objects.exists()
