"""`ticketnet_simulator statement`: the stand-in's sales statement of a period, read back with
the gateway's reader."""

import io
import json
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command

from tests.ticketnet.conftest import MANIFESTATION
from ticketnet_gateway.statement import (
    AmountNotation,
    StatementBuyer,
    StatementReport,
    statement_read,
)

from .test_box_office import _as_dict, sale


def at(state, number, when):
    """Place the journal lines of a ticket at `when` (journal text: UTC, milliseconds)."""
    state.store.db().execute("UPDATE operation SET time = ? WHERE ticket_number = ?",
                             (when, number))


def statement(state, tmp_path, *args, notation=AmountNotation.DECIMAL_POINT):
    output = tmp_path / "statement.txt"
    call_command("ticketnet_simulator", "statement", "--state", str(state.path), "--output",
                 str(output), *args)
    data = output.read_bytes()
    report = StatementReport()
    records = list(statement_read(io.BytesIO(data), amount_notation=notation, report=report))
    return records, report, data


@pytest.fixture
def journal(exported):
    """A sale with its buyer, its reprint, and a refunded sale, all on 5 September 2017."""
    state = exported.state
    sold = sale(state, row=2, seat=7, tariff="2", price_cents=3500, buyer_last_name="Lefèvre",
                buyer_first_name="Hélène", buyer_city="Saint-Étienne",
                buyer_postal_code="42000", buyer_country="FR")["number"]
    reprint = state.duplicate(sold)["number"]
    refunded = sale(state, row=3, seat=1)["number"]
    state.refund(refunded)
    for number in (sold, reprint, refunded):
        at(state, number, "2017-09-05T10:00:00.000+00:00")
    return state, sold, reprint, refunded


def test_one_record_per_line_and_two_for_a_reprint(journal, tmp_path, capsys):
    state, sold, reprint, refunded = journal
    records, report, data = statement(state, tmp_path, "--from", "2017-09-05", "--to",
                                      "2017-09-05")
    assert [(r.ticket_id, r.cancelled, r.amount_cents) for r in records] == [
        (sold, False, 3500), (sold, True, 3500), (reprint, False, 3500),
        (refunded, False, 5000), (refunded, True, 5000)]
    first = records[0]
    assert (first.label, first.performance_at) == ("Concert d'", datetime(2017, 9, 5, 20, 30))
    assert (first.category, first.price_code, first.fiscal_code, first.zone, first.row,
            first.seat, first.currency) == ("1", "2", "", "101", 2, 7, "EUR")
    assert first.buyer == StatementBuyer(last_name="Lefèvre", first_name="Hélène",
                                         city="Saint-Étienne", postcode="42000", country="FR")
    assert records[3].buyer is None
    lines = data.split(b"\r\n")
    assert lines[0] == b"TICKETNET RELEVE DES VENTES 505 2017-09-05 2017-09-05"
    assert lines[-2:] == [b"FIN 000005", b""]
    assert all(len(line) == 213 for line in lines[1:-2])
    assert (report.records, report.skipped, report.refused_count) == (5, 2, 0)
    assert json.loads(capsys.readouterr().out)["records"] == 5


def test_without_buyer_records_are_106_characters(journal, tmp_path):
    records, _report, data = statement(journal[0], tmp_path, "--from", "2017-09-05", "--to",
                                       "2017-09-05", "--no-buyer")
    assert {len(line) for line in data.split(b"\r\n")[1:-2]} == {106}
    assert all(record.buyer is None for record in records)


@pytest.mark.parametrize(("notation", "written"), [
    (AmountNotation.DECIMAL_POINT, b"     35.00EUR"), (AmountNotation.DECIMAL_COMMA,
                                                      b"     35,00EUR"),
    (AmountNotation.CENTS, b"      3500EUR")])
def test_amount_and_date_notations(journal, tmp_path, notation, written):
    records, _report, data = statement(
        journal[0], tmp_path, "--from", "2017-09-05", "--to", "2017-09-05",
        "--amount-notation", notation.value, "--date-notation", "ISO", notation=notation)
    assert [r.amount_cents for r in records] == [3500, 3500, 3500, 5000, 5000]
    assert written in data and b"2017-09-05 20:30" in data


def test_the_period_is_whole_days_in_the_time_zone(exported, tmp_path, settings):
    settings.TIME_ZONE = "Europe/Paris"
    state = exported.state
    late, early, next_day = (sale(state, seat=n)["number"] for n in (1, 2, 3))
    at(state, late, "2017-09-01T21:59:59.999+00:00")  # 23:59 in Paris on the 1st
    at(state, early, "2017-09-01T22:00:00.000+00:00")  # midnight in Paris: the 2nd
    at(state, next_day, "2017-09-03T00:00:00.000+00:00")
    records, _report, _data = statement(state, tmp_path, "--from", "2017-09-02", "--to",
                                        "2017-09-02")
    assert [r.ticket_id for r in records] == [early]
    records, _report, _data = statement(state, tmp_path, "--from", "2017-09-01", "--to",
                                        "2017-09-03")
    assert [r.ticket_id for r in records] == [late, early, next_day]


def test_a_value_that_does_not_fit_is_refused_not_cut(simulator, tmp_path):
    state = simulator.state
    manifestation = _as_dict()
    manifestation["categories"] = [{"code": "123", "name": "Loge"}]
    manifestation["zones"] = [{"code": "101", "name": "Loges", "seats": [
        {"row": "1", "number": "1", "category_code": "123"}]}]
    manifestation["prices"] = [{"category_code": "123", "tariff_code": "1", "cents": 9000}]
    state.create_manifestation(manifestation, institution_code="505")
    state.set_allotment(manifestation_code=MANIFESTATION, performance_code="1709052030",
                        export_id="e", replace=True, seats=[
                            {"zone_code": "101", "row": "1", "number": "1",
                             "category_code": "123"}])
    number = sale(state, category="123", price_cents=9000)["number"]
    at(state, number, "2017-09-05T10:00:00.000+00:00")
    output = tmp_path / "statement.txt"
    with pytest.raises(CommandError, match=f"ticket {number}: category '123' is longer than "
                                           "its 2 characters: nothing was written"):
        call_command("ticketnet_simulator", "statement", "--state", str(state.path),
                     "--from", "2017-09-05", "--to", "2017-09-05", "--output", str(output))
    assert not output.exists() and not list(tmp_path.glob(".statement.txt.*"))


def test_to_stdout_the_report_goes_to_stderr(journal, capsysbinary):
    call_command("ticketnet_simulator", "statement", "--state", str(journal[0].path),
                 "--from", "2017-09-05", "--to", "2017-09-05")
    captured = capsysbinary.readouterr()
    assert captured.out.startswith(b"TICKETNET RELEVE DES VENTES 505")
    assert captured.out.endswith(b"FIN 000005\r\n")
    assert json.loads(captured.err)["statement"] == "-"


def test_from_after_to_is_refused(journal):
    with pytest.raises(CommandError, match="--from"):
        call_command("ticketnet_simulator", "statement", "--state", str(journal[0].path),
                     "--from", "2017-09-06", "--to", "2017-09-05")
