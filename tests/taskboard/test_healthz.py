import pytest
from django.urls import reverse


def test_healthz_reports_database_and_broker(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_reports_a_broker_it_cannot_reach(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "error"
    assert response.json()["database"] == "ok"


@pytest.mark.redis
def test_healthz_reaches_the_real_redis_broker(client, db, settings):
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert client.get(reverse("healthz")).json()["broker"] == "ok"
