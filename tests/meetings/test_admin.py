"""The admin lists meetings and decisions and keeps their history."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from .conftest import make_decision


def test_admin_pages_for_meetings_and_decisions_open(client, city, meeting):
    decision = make_decision(meeting, 1, lead_unit=city.unit_a)
    admin = get_user_model().objects.create_superuser("root", password="x" * 20)
    client.force_login(admin)
    for url in [
        reverse("admin:meetings_meeting_changelist"),
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        reverse("admin:meetings_meeting_history", args=[meeting.pk]),
        reverse("admin:meetings_decision_changelist"),
        reverse("admin:meetings_decision_change", args=[decision.pk]),
    ]:
        assert client.get(url).status_code == 200, url
    # Decisions are made with their tasks on the meeting pages, never added here.
    assert client.get(reverse("admin:meetings_decision_add")).status_code == 403


def test_changes_to_meetings_and_decisions_are_recorded(city, meeting):
    decision = make_decision(meeting, 1, lead_unit=city.unit_a)
    meeting.subject = "改为专题研究"
    meeting.save()
    assert meeting.history.count() == 2
    assert decision.history.count() == 1
