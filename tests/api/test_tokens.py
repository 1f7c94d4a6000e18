"""Token authentication: made and revoked by administrators, hashed, last use recorded."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from taskboard.api.tokens import api_token_create, api_token_revoke, hash_key
from taskboard.models import ApiToken
from taskboard.services import ActionNotAllowed

from ..factories import TaskFactory
from .conftest import zh

pytestmark = pytest.mark.usefixtures("monday")


def get_tasks(key, keyword="Token"):
    return APIClient().get(reverse("api:task-list"), HTTP_AUTHORIZATION=f"{keyword} {key}")


def test_a_token_acts_as_its_account_with_its_scope(city, token_for):
    mine = TaskFactory(lead_unit=city.unit_a)
    TaskFactory(lead_unit=city.unit_b)
    _token, key = token_for(city.uma)
    response = get_tasks(key)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.pk]


def test_bearer_works_too(city, token_for):
    _token, key = token_for(city.alice)
    assert get_tasks(key, "Bearer").status_code == 200


def test_only_the_hash_of_the_key_is_stored(city, token_for):
    token, key = token_for(city.alice)
    token.refresh_from_db()
    assert token.key_hash == hash_key(key)
    assert key not in {token.key_hash, token.prefix}
    assert key.startswith(token.prefix)


def test_an_unknown_key_is_refused_with_401(city):
    response = get_tasks("dbn_not-a-key")
    assert response.status_code == 401
    assert response.json() == {
        "code": "token_invalid",
        "message": zh("This API token is not valid."),
    }


def test_a_revoked_token_is_refused_with_401(city, token_for, admin_user):
    token, key = token_for(city.alice)
    api_token_revoke(token=token, by=admin_user)
    response = get_tasks(key)
    assert response.status_code == 401
    assert response.json()["code"] == "token_revoked"
    assert response.json()["message"] == zh("This API token has been revoked.")


def test_a_disabled_account_is_refused_with_401(city, token_for):
    _token, key = token_for(city.alice)
    city.alice.is_active = False
    city.alice.save()
    assert get_tasks(key).json()["code"] == "account_disabled"


def test_last_use_is_recorded_at_most_once_a_minute(city, token_for, monday):
    token, key = token_for(city.alice)
    assert token.last_used_at is None
    get_tasks(key)
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    monday.shift(datetime.timedelta(seconds=30))
    get_tasks(key)
    token.refresh_from_db()
    assert token.last_used_at == first
    monday.shift(datetime.timedelta(seconds=31))
    get_tasks(key)
    token.refresh_from_db()
    assert token.last_used_at > first


def test_token_requests_pin_their_query_count(city, token_for, django_assert_num_queries):
    TaskFactory.create_batch(3, lead_unit=city.unit_a)
    _token, key = token_for(city.alice)
    get_tasks(key)  # records the last use
    # token with user and profile, count, page
    with django_assert_num_queries(3):
        assert get_tasks(key).status_code == 200


def test_only_administrators_make_or_revoke_tokens(city, token_for):
    with pytest.raises(ActionNotAllowed):
        api_token_create(by=city.alice, name="x", user=city.uma)
    token, _key = token_for(city.uma)
    with pytest.raises(ActionNotAllowed):
        api_token_revoke(token=token, by=city.alice)
    assert ApiToken.objects.get().revoked_at is None


def test_a_token_never_acts_as_a_superuser(admin_user):
    with pytest.raises(ValidationError) as error:
        api_token_create(by=admin_user, name="x", user=admin_user)
    assert "user" in error.value.message_dict
    assert not ApiToken.objects.exists()


def test_the_admin_shows_the_key_once_and_revokes(client, city, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:taskboard_apitoken_add"), {"name": "数据平台", "user": city.uma.pk}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    key = response.context["key"]
    assert token.key_hash == hash_key(key)
    assert token.created_by == admin_user
    assert key in response.content.decode()
    page = client.get(reverse("admin:taskboard_apitoken_change", args=[token.pk]))
    assert key not in page.content.decode()
    client.post(
        reverse("admin:taskboard_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert get_tasks(key).status_code == 401


def test_the_admin_refuses_a_superuser_as_the_token_account(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:taskboard_apitoken_add"), {"name": "x", "user": admin_user.pk}
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not ApiToken.objects.exists()
