import json

import pytest
from django.core.management import call_command

from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_book, correspondence_rows
from mappings.services import correspondences_export_csv
from tests import factories as f
from tests.mappings.factories import build_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def interface():
    return f.InterfaceFactory()


def _run(capsys, *args):
    try:
        call_command("import_correspondences", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out


def _filled_export(interface) -> str:
    lines = correspondences_export_csv(interface=interface).splitlines()
    out = [lines[0]]
    for line in lines[1:]:
        cells = line.split(";")
        cells[4] = cells[5]  # take the suggestion
        out.append(";".join(cells))
    return "\n".join(out) + "\n"


def test_import_the_filled_export(tmp_path, capsys, interface):
    build_event(interface=interface, tariffs=2)
    path = tmp_path / "codes.csv"
    path.write_text(_filled_export(interface), encoding="utf-8")
    code, out = _run(capsys, str(path), "--interface", interface.internal_name, "--dry-run",
                     "--json")
    assert code == 0 and json.loads(out)["status"] == "OK"
    assert Correspondence.objects.count() == 0
    code, out = _run(capsys, str(path), "--interface", interface.internal_name, "--json")
    payload = json.loads(out)
    assert code == 0 and set(payload) == {"status", "counts", "messages"}
    assert payload["counts"]["created"] == len(correspondence_rows(interface=interface))
    # Importing the same file again changes nothing.
    code, out = _run(capsys, str(path), "--interface", interface.internal_name, "--json")
    assert json.loads(out)["counts"]["unchanged"] == payload["counts"]["created"]


def test_bad_lines_are_reported_with_their_numbers_and_nothing_saved(tmp_path, capsys, interface):
    event = build_event(interface=interface, zones=2, tariffs=2)
    zones = list(event.performances.first().configuration.zones.order_by("pk"))
    tariffs = sorted({p.tariff_id for p in event.prices.all()})
    path = tmp_path / "codes.csv"
    path.write_text(
        "kind,id,code\n"
        f"event,{event.pk},1701\n"            # line 2: fine
        f"zone,{zones[0].pk},0101\n"          # line 3: leading zero
        f"zone,{zones[1].pk},101\n"           # line 4: fine
        f"tariff,{tariffs[0]},15|20\n"        # line 5: fine
        f"tariff,{tariffs[1]},20|22\n"        # line 6: 20 also on line 5
        "zone,999999,5\n"                     # line 7: unknown object
        "zone,abc,5\n"                        # line 8: not an id
        f"event,{event.pk},1702\n",           # line 9: listed twice
        encoding="utf-8",
    )
    code, out = _run(capsys, str(path), "--interface", interface.internal_name, "--json")
    payload = json.loads(out)
    assert code == 1 and payload["status"] == "ERROR"
    text = "\n".join(payload["messages"])
    for line in (3, 5, 6, 7, 8, 9):
        assert f"Line {line}:" in text
    assert "Line 2:" not in text and "Line 4:" not in text
    assert "enter 101" in text
    assert payload["counts"]["errors"] == 6
    assert Correspondence.objects.count() == 0


def test_unknown_interface_and_ambiguous_name(tmp_path, capsys, interface):
    path = tmp_path / "codes.csv"
    path.write_text("kind,id,code\n", encoding="utf-8")
    code, out = _run(capsys, str(path), "--interface", "nope", "--json")
    assert code == 1 and "No interface" in json.loads(out)["messages"][0]
    f.InterfaceFactory(internal_name=interface.internal_name)
    code, out = _run(capsys, str(path), "--interface", interface.internal_name, "--json")
    assert code == 1 and "--institution" in json.loads(out)["messages"][0]
    code, out = _run(capsys, str(path), "--interface", interface.internal_name,
                     "--institution", interface.institution.code, "--json")
    assert code == 0


def test_missing_columns(tmp_path, capsys, interface):
    path = tmp_path / "codes.csv"
    path.write_text("kind;code\nzone;5\n", encoding="utf-8")
    code, out = _run(capsys, str(path), "--interface", interface.internal_name)
    assert code == 1 and "Line 1" in out


def test_empty_code_removes_a_correspondence(tmp_path, capsys, interface):
    event = build_event(interface=interface)
    path = tmp_path / "codes.csv"
    path.write_text(f"kind;id;code\nevent;{event.pk};1701\n", encoding="utf-8")
    assert _run(capsys, str(path), "--interface", interface.internal_name)[0] == 0
    assert correspondence_book(interface=interface).code_for(Kind.EVENT, event.pk) == "1701"
    path.write_text(f"kind;id;code\nevent;{event.pk};\n", encoding="utf-8")
    assert _run(capsys, str(path), "--interface", interface.internal_name)[0] == 0
    assert correspondence_book(interface=interface).code_for(Kind.EVENT, event.pk) is None


def test_codes_can_move_between_objects_in_one_import(tmp_path, capsys, interface):
    event = build_event(interface=interface, zones=2)
    a, b = event.performances.first().configuration.zones.order_by("pk")
    path = tmp_path / "codes.csv"
    path.write_text(f"kind;id;code\nzone;{a.pk};101\nzone;{b.pk};102\n", encoding="utf-8")
    assert _run(capsys, str(path), "--interface", interface.internal_name)[0] == 0
    path.write_text(f"kind;id;code\nzone;{a.pk};102\nzone;{b.pk};101\n", encoding="utf-8")
    assert _run(capsys, str(path), "--interface", interface.internal_name)[0] == 0
    book = correspondence_book(interface=interface)
    assert (book.code_for(Kind.ZONE, a.pk), book.code_for(Kind.ZONE, b.pk)) == ("102", "101")


def test_a_code_entered_twice_names_the_other_entry_on_both(interface):
    from mappings.services import Entry, correspondences_apply

    one, two = (f.TariffFactory(institution=interface.institution) for _ in range(2))
    by_line = correspondences_apply(interface=interface, entries=[
        Entry(kind=Kind.TARIFF, object_id=one.pk, code="15|20", line=5),
        Entry(kind=Kind.TARIFF, object_id=two.pk, code="20|22", line=6),
    ])
    assert by_line.errors == {
        0: [f"The code 20 is also entered for “{two}” (line 6): each code once."],
        1: [f"The code 20 is also entered for “{one}” (line 5): each code once."],
    }
    in_grid = correspondences_apply(interface=interface, entries=[
        Entry(kind=Kind.TARIFF, object_id=one.pk, code="20"),
        Entry(kind=Kind.TARIFF, object_id=two.pk, code="20"),
    ])
    assert in_grid.errors == {
        0: [f"The code 20 is also entered for “{two}” ({two}): each code once."],
        1: [f"The code 20 is also entered for “{one}” ({one}): each code once."],
    }
    assert not Correspondence.objects.exists()
