from django import forms
from django.urls import reverse

from taskboard.models import Unit
from taskboard.widgets import PICKER_LIMIT, UnitPicker, UnitsPicker

from ..factories import UnitFactory


class SourceForm(forms.Form):
    lead_unit = forms.ModelChoiceField(queryset=Unit.objects.all(), widget=UnitPicker)
    co_units = forms.ModelMultipleChoiceField(
        queryset=Unit.objects.all(), widget=UnitsPicker, required=False
    )


def test_unit_search_returns_matches_and_keeps_the_chosen_ones(client, city):
    UnitFactory(name="市水利局")
    client.force_login(city.alice)
    response = client.get(
        reverse("taskboard:picker", args=["units"]),
        {"field": "co_units", "co_units": [city.unit_b.pk], "q": "水利"},
    )
    html = response.content.decode()
    assert f'<option value="{city.unit_b.pk}" selected>市财政局</option>' in html
    assert "市水利局" in html
    assert "市发展和改革委员会" not in html


def test_leader_search_finds_leaders_only(client, city):
    city.pat.first_name = "张副市长"
    city.pat.save()
    client.force_login(city.alice)
    response = client.get(
        reverse("taskboard:picker", args=["leaders"]), {"field": "lead_leader", "q": "张"}
    )
    html = response.content.decode()
    assert "张副市长" in html
    response = client.get(
        reverse("taskboard:picker", args=["leaders"]), {"field": "lead_leader", "q": "uma"}
    )
    assert "uma" not in response.content.decode()


def test_picker_needs_a_login_and_a_known_kind(client, city):
    assert client.get(reverse("taskboard:picker", args=["units"])).status_code == 302
    client.force_login(city.alice)
    assert client.get(reverse("taskboard:picker", args=["planets"])).status_code == 404
    response = client.get(
        reverse("taskboard:picker", args=["units"]), {"field": "x", "x": "1\x00", "q": "\x00"}
    )
    assert response.status_code == 200


def test_picker_widget_renders_chosen_units_and_only_a_first_page(db):
    units = [UnitFactory(name=f"乡镇{n:03d}") for n in range(PICKER_LIMIT + 20)]
    last = units[-1]
    html = str(SourceForm(initial={"co_units": [last.pk]})["co_units"])
    assert html.count("<option") == PICKER_LIMIT + 1
    assert f'value="{last.pk}" selected' in html
    assert 'hx-get="/pickers/units/"' in html
