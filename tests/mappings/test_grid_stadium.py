"""The grid for a stadium (issue 11, item 7): groups, filter, range fill, a filtered save,
the CSV upload's dry run, and a save whose queries do not grow with its rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from catalog.models import Zone
from mappings.grid import GridLine, grid_range_fill
from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_rows
from mappings.services import correspondences_export_csv
from spreadsheets import csv_read, csv_write
from tests import factories as f
from tests.mappings.factories import build_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def interface():
    return f.InterfaceFactory()


@pytest.fixture
def operator(client, interface):
    client.force_login(f.staff_user(interface.institution))
    return client


def grid_url(interface, **query):
    url = reverse("admin:mappings_correspondence_grid", args=[interface.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def zones_of(rows):
    return [r for r in rows if r.kind == Kind.ZONE]


def test_range_fill_follows_the_block_pattern_from_the_first_block(interface):
    build_event(interface=interface, zones=8, rows=1, seats_per_row=1)  # A1 … H1
    zone = Zone.objects.filter(configuration__hall__institution=interface.institution)
    # Make it A1, A2, B1, B2, C1, C2, D1, D2.
    for i, z in enumerate(zone.order_by("block_letter")):
        z.block_letter, z.block_number = "ABCD"[i // 2], i % 2 + 1
        z.save(update_fields=["block_letter", "block_number"])
    rows = zones_of(correspondence_rows(interface=interface))
    fill = grid_range_fill(rows, first_code="101")
    assert not fill.errors
    got = {f"{r.block[0]}{r.block[1]}": fill.values[r.key] for r in rows}
    assert got == {"A1": "101", "A2": "102", "B1": "201", "B2": "202", "C1": "301",
                   "C2": "302", "D1": "401", "D2": "402"}
    # Kept relative to the first block: another hall's A1…D2 from 1101.
    assert {fill.values[r.key] for r in rows} != set(grid_range_fill(rows, first_code="1101")
                                                      .values.values())
    assert grid_range_fill(rows, first_code="1101").values[rows[-1].key] == "1402"


def test_range_fill_of_other_rows_counts_up_and_leaves_locked_codes(interface):
    build_event(interface=interface, tariffs=3)
    tariffs = [r for r in correspondence_rows(interface=interface) if r.kind == Kind.TARIFF]
    locked = tariffs[1].__class__(**{**tariffs[1].__dict__, "known_code_id": 1})
    fill = grid_range_fill([tariffs[0], locked, tariffs[2]], first_code="7")
    assert fill.values == {tariffs[0].key: "7", tariffs[2].key: "8"}
    assert fill.skipped_locked == 1
    assert grid_range_fill(tariffs, first_code="07").errors  # a code's own rules
    assert grid_range_fill(tariffs, first_code="999999999").errors  # past the last code
    assert grid_range_fill([], first_code="1").errors


def test_range_fill_from_the_page_then_save(operator, interface):
    build_event(interface=interface, zones=3, rows=1, seats_per_row=1)
    rows = correspondence_rows(interface=interface)
    zones = zones_of(rows)
    data = {f"code-{r.kind}-{r.object_id}": "" for r in rows}
    data.update({f"select-{r.kind}-{r.object_id}": "1" for r in zones})
    page = operator.post(grid_url(interface), {**data, "range_first": "101", "range": "1"})
    values = {line.row.key: line.value for line in page.context["table"]}
    assert [values[z.key] for z in zones] == ["101", "201", "301"]  # A1, B1, C1
    assert not Correspondence.objects.exists()  # filled, not saved


def test_the_grid_groups_by_kind_and_hall_and_labels_every_input(operator, interface):
    build_event(interface=interface, zones=2)
    build_event(interface=interface, zones=3)  # another hall
    page = operator.get(grid_url(interface))
    titles = [g.title for g in page.context["groups"]]
    zone_groups = [t for t in titles if t.startswith(str(Kind.ZONE.label))]
    assert len(zone_groups) == 2 and all(" — " in t for t in zone_groups)
    html = page.content.decode()
    for line in page.context["table"]:
        assert f'<label for="id_{line.name}">' in html
        assert f'for="select-{line.name}"' in html


def test_the_filter_without_script(operator, interface):
    build_event(interface=interface, zones=3)
    rows = correspondence_rows(interface=interface)
    Correspondence.objects.create(interface=interface, kind=Kind.ZONE, code="101",
                                  zone_id=zones_of(rows)[0].object_id)
    assert len(operator.get(grid_url(interface, kind="zone")).context["table"]) == 3
    missing = operator.get(grid_url(interface, kind="zone", missing="1")).context["table"]
    assert [line.row.key for line in missing] == [r.key for r in zones_of(rows)[1:]]
    label = zones_of(rows)[2].label
    found = operator.get(grid_url(interface, q=label.split()[-1])).context["table"]
    assert label in [line.row.label for line in found]


def test_a_filtered_save_leaves_the_rows_not_shown_alone(operator, interface):
    build_event(interface=interface, zones=2)
    rows = correspondence_rows(interface=interface)
    tariff = next(r for r in rows if r.kind == Kind.TARIFF)
    Correspondence.objects.create(interface=interface, kind=Kind.TARIFF, code="5",
                                  tariff_id=tariff.object_id)
    zone = zones_of(rows)[0]
    response = operator.post(grid_url(interface, kind="zone"),
                             {f"code-zone-{zone.object_id}": "101", "save": "1"})
    assert response.status_code == 302 and response["Location"].endswith("?kind=zone")
    assert set(Correspondence.objects.values_list("code", flat=True)) == {"5", "101"}


def test_saving_more_rows_takes_no_more_queries(operator, interface,
                                                django_assert_max_num_queries):
    def save_all(event):
        rows = correspondence_rows(interface=interface)
        data = {f"code-{r.kind}-{r.object_id}": r.code or r.suggestion for r in rows}
        return operator.post(grid_url(interface), {**data, "save": "1"})

    first = build_event(interface=interface, zones=5, rows=1, seats_per_row=1)
    with django_assert_max_num_queries(60) as small:
        assert save_all(first).status_code == 302
    build_event(interface=interface, zones=60, rows=1, seats_per_row=1, tariffs=4,
                configuration=None)
    before = Correspondence.objects.count()
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert save_all(None).status_code == 302
    assert Correspondence.objects.count() - before > 60


def upload(client, interface, text, **extra):
    url = reverse("admin:mappings_correspondence_import", args=[interface.pk])
    return client.post(url, {"file": SimpleUploadedFile("codes.csv", text.encode("utf-8")),
                             **extra})


def test_csv_upload_shows_a_dry_run_then_applies(operator, interface):
    build_event(interface=interface, zones=2)
    rows = [cells for _n, cells in csv_read(correspondences_export_csv(interface=interface))]
    for cells in rows[1:]:
        cells[4] = cells[5]
    text = csv_write(rows, bom=True)
    page = operator.post(reverse("admin:mappings_correspondence_import", args=[interface.pk]),
                         {"file": SimpleUploadedFile("codes.csv", text.encode("utf-8"))})
    report = page.context["report"]
    assert report.status == "OK" and len(report.changes) == len(rows) - 1
    assert not Correspondence.objects.exists()  # a dry run
    assert "Apply these changes" in page.content.decode()
    applied = operator.post(page.wsgi_request.path, {"text": page.context["text"],
                                                     "apply": "1"})
    assert applied.status_code == 302
    assert Correspondence.objects.filter(interface=interface).count() == len(rows) - 1


def test_csv_upload_refuses_lines_with_their_number_and_reason(operator, interface):
    build_event(interface=interface, zones=2)
    rows = [cells for _n, cells in csv_read(correspondences_export_csv(interface=interface))]
    for cells in rows[1:]:
        cells[4] = cells[5]
    zone_line = next(i for i, cells in enumerate(rows) if cells[0] == "zone")
    rows[zone_line][4] = "0101"
    page = upload(operator, interface, csv_write(rows))
    report = page.context["report"]
    assert report.status == "ERROR"
    assert list(report.refused) == [zone_line + 1]
    assert "101" in " ".join(report.refused[zone_line + 1])
    assert len(report.changes) == len(rows) - 2  # what the other lines would change
    assert "Apply these changes" not in page.content.decode()
    assert not Correspondence.objects.exists()


def test_csv_upload_refuses_a_file_that_is_not_utf8(operator, interface):
    url = reverse("admin:mappings_correspondence_import", args=[interface.pk])
    page = operator.post(url, {"file": SimpleUploadedFile("codes.csv",
                                                          "kind;id;code\nzone;1;Catégorie".encode("cp1252"))})
    assert "UTF-8" in " ".join(page.context["form_errors"])


def test_grid_line_search_text_is_what_the_filter_reads():
    from mappings.selectors import CorrespondenceRow

    row = CorrespondenceRow(kind="zone", object_id=1, label="Block A1", context="Stade — Foot",
                            code="", suggestion="101", hall="Stade")
    assert "block a1" in GridLine(row=row, value="").search_text
