"""A competition performance's double code names that performance (issue 10, item 5): the part
after "_" is its start in the institution's time zone (the back-office's, settings.TIME_ZONE:
institutions have none of their own) as YYMMDDHHMM, digits only. Anything else is refused with
the expected value, at the field, by every entry point: the model (admin, API), the grid and
the CSV import."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from catalog.models import Event
from mappings.admin import grid_field_name
from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_rows
from mappings.validators import start_code, validate_double_code_start
from tests import factories as f
from tests.mappings.factories import build_event

PARIS = ZoneInfo("Europe/Paris")
# The guide's example: 1701_1709052030 is 5 September 2017, 20:30.
GUIDE_START = dt.datetime(2017, 9, 5, 20, 30, tzinfo=PARIS)


def _refusal(value, start) -> str:
    with pytest.raises(ValidationError) as exc:
        validate_double_code_start(value, start=start)
    return " ".join(exc.value.messages)


def test_the_guides_example():
    validate_double_code_start("1701_1709052030", start=GUIDE_START)
    # The same instant written in UTC is still 20:30 in the institution's time zone.
    validate_double_code_start("1701_1709052030", start=GUIDE_START.astimezone(dt.UTC))
    message = _refusal("1701_1709052031", GUIDE_START)
    assert "enter 1709052030" in message and "1701_1709052030" in message
    assert "2017-09-05 20:30" in message


@given(start=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 12, 31),
                          timezones=st.just(dt.UTC)),
       other=st.text(alphabet="0123456789", min_size=1, max_size=10))
def test_only_the_start_is_accepted(start, other):
    expected = start_code(start)
    validate_double_code_start(f"1701_{expected}", start=start)
    if other != expected:
        assert f"enter {expected}" in _refusal(f"1701_{other}", start)


def test_the_message_in_french():
    with translation.override("fr"):
        message = _refusal("1701_1709052031", GUIDE_START)
    assert "n'est pas le début de la séance" in message and "1709052030" in message


@pytest.fixture
def interface(db):
    return f.InterfaceFactory(institution__language="en")


@pytest.fixture
def game(interface):
    return f.PerformanceFactory(event__institution=interface.institution,
                                event__kind=Event.Kind.COMPETITION, start=GUIDE_START)


def _clean(interface, performance, code) -> dict:
    c = Correspondence(interface=interface, code=code)
    c.set_target(Kind.PERFORMANCE, performance.pk)
    with pytest.raises(ValidationError) as exc:
        c.full_clean()
    return exc.value.message_dict


def test_the_model_refuses_letters_and_another_date_at_the_code_field(interface, game):
    # Both were saved before issue 10.
    assert "digits only" in " ".join(_clean(interface, game, "1701_ABC")["code"])
    errors = _clean(interface, game, "1701_1709062030")
    assert "enter 1709052030" in " ".join(errors["code"]) and list(errors) == ["code"]
    ok = Correspondence(interface=interface, code="1701_1709052030")
    ok.set_target(Kind.PERFORMANCE, game.pk)
    ok.full_clean()


def test_the_admin_form_shows_the_expected_code(client, interface, game):
    client.force_login(f.staff_user(interface.institution))
    response = client.post(reverse("admin:mappings_correspondence_add"), {
        "interface": interface.pk, "kind": Kind.PERFORMANCE, "performance": game.pk,
        "code": "1701_1709052031"})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "enter 1709052030" in " ".join(form.errors["code"])
    assert not Correspondence.objects.exists()


def test_the_api_refuses_with_the_expected_code(interface, game):
    api = APIClient()
    api.force_authenticate(f.staff_user(interface.institution))
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "performance", "object_id": game.pk,
        "code": "1701_ABC"}, format="json")
    assert response.status_code == 400 and "digits only" in " ".join(response.data["code"])
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "performance", "object_id": game.pk,
        "code": "1701_1709052031"}, format="json")
    assert response.status_code == 400
    assert "enter 1709052030" in " ".join(response.data["code"])


def _competition(interface):
    event = build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=2)
    rows = correspondence_rows(interface=interface)
    games = [r for r in rows if r.kind == Kind.PERFORMANCE]
    return event, rows, games


def test_the_grid_flags_the_row_and_saves_nothing(client, interface):
    _event, rows, games = _competition(interface)
    client.force_login(f.staff_user(interface.institution))
    data = {grid_field_name(*r.key): r.suggestion for r in rows}
    first, second = games
    manifestation = first.suggestion.split("_")[0]
    data[grid_field_name(*first.key)] = f"{manifestation}_{second.suggestion.split('_')[1]}"
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    response = client.post(url, {**data, "save": "1"})
    assert response.status_code == 200 and not Correspondence.objects.exists()
    errors = {line.row.key: line.errors for line in response.context["table"]}
    assert f"enter {first.suggestion.split('_')[1]}" in " ".join(errors[first.key])
    assert errors[second.key] == []


def test_the_csv_import_reports_the_line(tmp_path, capsys, interface):
    event, _rows, games = _competition(interface)
    perf = event.performances.order_by("start").first()
    expected = start_code(perf.start)
    path = tmp_path / "codes.csv"
    path.write_text(f"kind,id,code\nperformance,{perf.pk},1701_ABC\n"
                    f"performance,{games[1].object_id},1702_{expected}\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("import_correspondences", str(path), "--interface",
                     interface.internal_name, "--json")
    payload = json.loads(capsys.readouterr().out)
    text = "\n".join(payload["messages"])
    assert "Line 2:" in text and "digits only" in text
    assert "Line 3:" in text and "enter " in text
    assert not Correspondence.objects.exists()
