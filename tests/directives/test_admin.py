import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from directives.models import Instruction

from .conftest import make_instruction, make_proposal

pytestmark = pytest.mark.django_db

MODELS = [
    "workreport",
    "target",
    "instruction",
    "superiorassignment",
    "assignmentitem",
    "proposal",
    "proposalreply",
]


@pytest.mark.parametrize("model", MODELS)
def test_admin_lists_and_history_render(client, city, model):
    make_instruction(city)
    make_proposal(city)
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    assert client.get(reverse(f"admin:directives_{model}_changelist")).status_code == 200
    if model == "instruction":
        pk = Instruction.objects.get().pk
        assert (
            client.get(reverse("admin:directives_instruction_history", args=[pk])).status_code
            == 200
        )
