import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from taskboard.choices import TaskState
from taskboard.models import Task

from ..factories import TaskFactory

LIST = reverse("taskboard:task_list")
NOV_2026 = datetime.datetime(2026, 11, 20, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def detail(task):
    return reverse("taskboard:task_detail", args=[task.pk])


def test_pages_need_a_login(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    for url in (LIST, detail(task), reverse("taskboard:home")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_login_page_speaks_chinese_by_default(client, db):
    response = client.get(reverse("login"))
    assert "登录" in response.content.decode()


def test_unit_head_sees_own_units_tasks_and_none_of_another_units(client, city):
    own = TaskFactory(lead_unit=city.unit_a, title="发改委牵头事项")
    co = TaskFactory(lead_unit=city.unit_b, title="发改委协办事项")
    co.co_units.add(city.unit_a)
    foreign = TaskFactory(lead_unit=city.unit_b, title="财政局独办事项")
    client.force_login(city.uma)

    page = client.get(LIST).content.decode()

    assert own.title in page and co.title in page
    assert foreign.title not in page
    assert client.get(detail(own)).status_code == 200
    assert client.get(detail(foreign)).status_code == 404


def test_task_list_query_count_does_not_grow_with_the_tasks(
    client, city, django_assert_num_queries
):
    client.force_login(city.pat)
    TaskFactory.create_batch(3, lead_unit=city.unit_a)
    # 10, and 3 for the choices of the dashboard's drill-down filters (co-unit, lead leader,
    # portfolio).
    with django_assert_num_queries(13):
        assert client.get(LIST).status_code == 200
    TaskFactory.create_batch(40, lead_unit=city.unit_a, lead_leader=city.pat)
    with django_assert_num_queries(13):
        response = client.get(LIST)
    assert len(response.context["page"]) == 25


def test_task_list_is_paginated_and_keeps_filters_across_pages(client, city):
    TaskFactory.create_batch(30, lead_unit=city.unit_a)
    client.force_login(city.alice)
    response = client.get(LIST, {"lead_unit": city.unit_a.pk, "page": 2})
    assert len(response.context["page"]) == 5
    assert f"lead_unit={city.unit_a.pk}&amp;page=1" in response.content.decode()


def test_filters_narrow_the_list(client, city):
    closed = TaskFactory(lead_unit=city.unit_a, state=TaskState.CLOSED, title="已销号事项")
    open_task = TaskFactory(lead_unit=city.unit_a, title="推进中的事项")
    client.force_login(city.alice)
    tasks = list(client.get(LIST, {"state": "closed"}).context["page"])
    assert tasks == [closed]
    tasks = list(client.get(LIST, {"q": "推进"}).context["page"])
    assert tasks == [open_task]


@time_machine.travel(NOV_2026, tick=False)
def test_overdue_filter_shows_only_open_tasks_past_their_deadline(client, city):
    overdue = TaskFactory(lead_unit=city.unit_a, deadline=datetime.date(2026, 11, 1))
    TaskFactory(lead_unit=city.unit_a, deadline=datetime.date(2026, 12, 1))
    TaskFactory(lead_unit=city.unit_a, deadline=datetime.date(2026, 11, 1), state="closed")
    client.force_login(city.alice)
    assert list(client.get(LIST, {"overdue": "on"}).context["page"]) == [overdue]


def test_unknown_unit_in_a_filter_is_a_clear_error_not_a_500(client, city):
    TaskFactory(lead_unit=city.unit_a)
    client.force_login(city.alice)
    response = client.get(LIST, {"lead_unit": "999999"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "该选择不在可用的选项中" in response.content.decode()


def test_nul_byte_and_huge_search_text_get_a_clear_error(client, city):
    TaskFactory(lead_unit=city.unit_a)
    client.force_login(city.alice)
    response = client.get(LIST, {"q": "a\x00b"})
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "不允许是用空字符串" in response.content.decode()
    response = client.get(LIST, {"q": "长" * 5000})
    assert response.status_code == 200
    assert list(response.context["page"]) == []


def test_ten_megabytes_posted_is_refused_with_400_and_saves_nothing(client, city):
    users_before = get_user_model().objects.count()
    response = client.post(reverse("login"), {"username": "x" * 10_000_000, "password": "y"})
    assert response.status_code == 400
    assert get_user_model().objects.count() == users_before


def test_task_page_shows_the_timeline(client, city):
    from taskboard import services

    task = services.task_create(
        by=city.alice,
        title="修订督查工作规则",
        lead_unit=city.unit_a,
        origin="other",
        deadline=datetime.date(2099, 1, 1),
    )
    services.task_assign(task=task, by=city.alice)
    client.force_login(city.uma)
    page = client.get(detail(task)).content.decode()
    assert "修订督查工作规则" in page
    assert "alice" in page
    assert page.count("<li><time") == 2


def test_lockout_after_repeated_failed_logins(client, city):
    for _ in range(5):
        client.post(reverse("login"), {"username": "uma", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "uma", "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_good_login_lands_on_the_task_list_or_for_unit_staff_the_inbox(client, city):
    password = "correct horse battery staple"
    response = client.post(
        reverse("login"), {"username": "alice", "password": password}, follow=True
    )
    assert response.redirect_chain[-1][0] == LIST
    client.post(reverse("logout"))
    response = client.post(reverse("login"), {"username": "uma", "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("taskboard:inbox")


def test_logout_is_a_post_and_ends_the_session(client, city):
    client.force_login(city.uma)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(LIST).status_code == 302


def test_session_expires_after_idle_time(settings):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 15 * 60


@time_machine.travel(NOV_2026, tick=False)
def test_admin_warns_that_next_years_working_days_are_provisional(client, db):
    admin = get_user_model().objects.create_superuser("root", password="x-long-password-1")
    client.force_login(admin)
    page = client.get(reverse("admin:index")).content.decode()
    assert "2027" in page and "临时" in page


def test_admin_shows_history_of_a_task(client, city):
    task = TaskFactory(lead_unit=city.unit_a)
    admin = get_user_model().objects.create_superuser("root", password="x-long-password-1")
    client.force_login(admin)
    response = client.get(reverse("admin:taskboard_task_history", args=[task.pk]))
    assert response.status_code == 200
    assert Task.history.filter(id=task.pk).count() == 1
