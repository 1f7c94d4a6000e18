"""The person's notification settings page, the warnings list, and the counts by the bell."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from supervision.choices import WarningKind
from supervision.models import ChannelPreference, Delivery, DeliveryMode, TaskWarning, WarningNotice
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


def warn(user, task, kind=WarningKind.OVERDUE, day=MONDAY, read=False):
    created = datetime.datetime(day.year, day.month, day.day, 7, tzinfo=SHANGHAI)
    raised, _ = TaskWarning.objects.get_or_create(
        task=task, kind=kind, for_date=day, defaults={"unit": task.lead_unit, "created_at": created}
    )
    return WarningNotice.objects.create(
        warning=raised, recipient=user, created_at=created, read_at=created if read else None
    )


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
    warn(city.uma, task)
    warn(city.uma, task, WarningKind.DUE_TODAY)
    warn(city.uma, task, WarningKind.DUE_SOON_1, read=True)
    warn(city.lisa, task)
    client.force_login(city.uma)

    for url in (reverse("taskboard:task_list"), reverse("taskboard:inbox"), PREFERENCES):
        assert 'data-unread-warnings="2"' in client.get(url).content.decode()


def test_the_bell_and_the_warnings_are_counted_in_one_query(city, django_assert_num_queries):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(city.uma, task)

    with django_assert_num_queries(1):
        counts = unread_counts(city.uma)

    assert counts == {"unread_count": 0, "unread_warning_count": 1}


def test_the_warnings_list_shows_the_persons_warnings_only(client, city):
    task = TaskFactory(lead_unit=city.unit_a, title="管网更新")
    mine = warn(city.uma, task)
    lisas = warn(city.lisa, task)
    client.force_login(city.uma)

    response = client.get(WARNINGS)

    assert list(response.context["page"]) == [mine]
    assert "管网更新" in response.content.decode()
    assert client.get(reverse("supervision:warning_open", args=[lisas.pk])).status_code == 404


def test_opening_a_warning_marks_it_read_and_goes_to_the_task(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    notice = warn(city.uma, task)
    client.force_login(city.uma)

    response = client.get(reverse("supervision:warning_open", args=[notice.pk]))

    assert response.url == reverse("taskboard:task_detail", args=[task.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_mark_all_warnings_read(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    warn(city.uma, task)
    warn(city.uma, task, WarningKind.DUE_TODAY)
    others = warn(city.lisa, task)
    client.force_login(city.uma)

    assert client.get(reverse("supervision:warnings_mark_read")).status_code == 405
    client.post(reverse("supervision:warnings_mark_read"))

    assert not WarningNotice.objects.filter(recipient=city.uma, read_at__isnull=True).exists()
    others.refresh_from_db()
    assert others.read_at is None


def test_the_warnings_list_query_count_does_not_grow(client, city, django_assert_num_queries):
    client.force_login(city.uma)
    tasks = TaskFactory.create_batch(3, lead_unit=city.unit_a)
    for task in tasks:
        warn(city.uma, task)
    with django_assert_num_queries(10):
        assert len(client.get(WARNINGS).context["page"]) == 3

    for task in TaskFactory.create_batch(30, lead_unit=city.unit_a):
        warn(city.uma, task)
    with django_assert_num_queries(10):
        assert len(client.get(WARNINGS).context["page"]) == 25


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
