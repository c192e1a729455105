"""Ticketnet's fixed-width sales statement (docs/statement-file.md): every line read or refused
with its line number, and the writer's output read back as it was written."""

import contextlib
import io
from datetime import datetime

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ticketnet_gateway.errors import ContractError
from ticketnet_gateway.statement import (
    AmountNotation,
    DateNotation,
    StatementBuyer,
    StatementError,
    StatementLine,
    StatementProblem,
    StatementReport,
    statement_read,
)
from ticketnet_gateway.statement_rows import _line_fields, statement_rows
from ticketnet_gateway.statement_writer import statement_write

POINT = AmountNotation.DECIMAL_POINT
COMMA = AmountNotation.DECIMAL_COMMA
CENTS = AmountNotation.CENTS
HEADER = "TICKETNET RELEVE DES VENTES 505 SEPTEMBRE 2017"
TRAILER = "FIN 000003"


def record(label="CONCERT", date="05/09/2017 20:30", flag=" ", category="1", price="2",
           fiscal="F0001", zone="101", row="0012", seat="0007", amount="45.00",
           currency="EUR", ticket="AA05EC0000000001", buyer=None):
    """A record built by hand from the issue's offsets, independently of the module's table."""
    text = (label.ljust(10) + date.ljust(16) + flag + category.ljust(2) + price.ljust(10)
            + fiscal.ljust(10) + zone.ljust(4) + row.rjust(4) + seat.rjust(4)
            + amount.rjust(10) + currency.ljust(3) + ticket.ljust(16) + " " * 16)
    assert len(text) == 106
    if buyer is not None:
        last, first, city, postcode, country, bank = buyer
        text += (last.ljust(32) + first.ljust(32) + city.ljust(25) + postcode.ljust(5)
                 + country.ljust(7) + bank.ljust(6))
        assert len(text) == 213
    return text


def statement(*lines, end="\r\n", encoding="cp1252", last_end=True):
    text = end.join(lines) + (end if last_end else "")
    return io.BytesIO(text.encode(encoding))


def read_all(stream, notation=POINT):
    report = StatementReport()
    lines = list(statement_read(stream, amount_notation=notation, report=report))
    return lines, report


def refused(report):
    return [(e.line_number, e.code) for e in report.refused]


BUYER = ("Lefèvre-Œuvray", "Hélène", "Saint-Étienne", "42000", "FRANCE", "B12345")


# --- records ------------------------------------------------------------------------------

def test_a_106_character_record_reads_every_field():
    [line], report = read_all(statement(record()))
    assert line == StatementLine(
        line_number=1, label="CONCERT", performance_at=datetime(2017, 9, 5, 20, 30),
        cancelled=False, category="1", price_code="2", fiscal_code="F0001", zone="101",
        row=12, seat=7, amount_cents=4500, currency="EUR", ticket_id="AA05EC0000000001",
        buyer=None)
    assert (report.lines, report.records, report.skipped, report.refused_count) == (1, 1, 0, 0)


def test_a_213_character_record_reads_the_buyer_accented_in_windows_1252():
    data = statement(record(buyer=BUYER)).getvalue()
    assert "Hélène".encode("cp1252") in data and b"\x8c" in data  # Œ is 0x8C in cp1252
    [line], report = read_all(io.BytesIO(data))
    assert line.buyer == StatementBuyer(
        last_name="Lefèvre-Œuvray", first_name="Hélène", city="Saint-Étienne",
        postcode="42000", country="FRANCE", bank_id="B12345")
    assert report.utf8_lines == 0


def test_a_213_character_record_with_a_blank_buyer_block_has_no_buyer():
    [line], _ = read_all(statement(record(buyer=("", "", "", "", "", ""))))
    assert line.buyer is None


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_crlf_and_lf_line_ends_read_the_same(end):
    lines, report = read_all(statement(record(), record(ticket="T2", buyer=BUYER), end=end))
    assert [(x.line_number, x.ticket_id) for x in lines] == [(1, "AA05EC0000000001"), (2, "T2")]
    assert lines[1].buyer.first_name == "Hélène"
    assert report.refused_count == 0


def test_the_last_record_may_lack_its_line_end():
    lines, report = read_all(statement(record(), record(ticket="T2"), last_end=False))
    assert [x.ticket_id for x in lines] == ["AA05EC0000000001", "T2"]
    assert report.refused_count == 0


def test_a_cancelled_record_and_an_iso_date():
    [line], _ = read_all(statement(record(flag="A", date="2017-09-05 20:30")))
    assert line.cancelled is True
    assert line.performance_at == datetime(2017, 9, 5, 20, 30)


def test_rows_and_seats_are_numbers_and_may_be_blank():
    lines, _ = read_all(statement(record(row="0012", seat="0100"), record(row="", seat=""),
                                  record(row="7", seat="0000")))
    assert [(x.row, x.seat) for x in lines] == [(12, 100), (None, None), (7, 0)]


# --- headers, trailers and damaged lines ----------------------------------------------------

def test_header_and_trailer_lines_are_counted_and_skipped():
    lines, report = read_all(statement(HEADER, "", record(), record(ticket="T2"), TRAILER))
    assert [x.line_number for x in lines] == [3, 4]
    assert (report.lines, report.records, report.skipped) == (5, 2, 3)
    assert report.skipped_line_numbers == [1, 2, 5]
    assert report.refused == []


@pytest.mark.parametrize("ending", [b"\r\n\x1a", b"\x1a", b"\r"])
def test_a_dos_end_of_file_mark_or_a_lone_cr_after_the_last_record_is_no_content(ending):
    data = statement(record(), record(ticket="T2"), last_end=False).getvalue() + ending
    lines, report = read_all(io.BytesIO(data))
    assert [x.ticket_id for x in lines] == ["AA05EC0000000001", "T2"]
    assert report.refused == []


def test_a_truncated_last_line_is_refused_with_its_number():
    cut = record(ticket="T3", buyer=BUYER)[:150]
    lines, report = read_all(statement(HEADER, record(), record(ticket="T2"), cut,
                                       last_end=False))
    assert [x.ticket_id for x in lines] == ["AA05EC0000000001", "T2"]
    assert refused(report) == [(4, StatementProblem.LAST_LINE_CUT)]
    assert report.refused[0].params == {"length": 150}


def test_a_truncated_last_line_stops_a_strict_read_after_the_good_records():
    cut = record(ticket="T2")[:60]
    read = statement_read(statement(record(), cut, last_end=False), amount_notation=POINT)
    assert next(read).ticket_id == "AA05EC0000000001"
    with pytest.raises(StatementError) as caught:
        next(read)
    assert (caught.value.line_number, caught.value.code) == (2, StatementProblem.LAST_LINE_CUT)
    assert isinstance(caught.value, ContractError)
    assert "line 2" in str(caught.value)


@pytest.mark.parametrize("length", [104, 105, 107, 108, 211, 212, 214, 215])
def test_a_line_one_or_two_characters_off_a_record_is_refused(length):
    full = record(buyer=BUYER) if length > 200 else record()
    damaged = full[:length] if length < len(full) else full + "X" * (length - len(full))
    lines, report = read_all(statement(record(), damaged, record(ticket="T3")))
    assert [x.line_number for x in lines] == [1, 3]
    assert refused(report) == [(2, StatementProblem.LINE_LENGTH)]
    assert report.refused[0].params == {"length": length}


def test_a_record_whose_trailing_spaces_were_trimmed_is_refused_not_skipped():
    trimmed = record().rstrip(" ")
    assert len(trimmed) == 90
    _, report = read_all(statement(trimmed))
    assert refused(report) == [(1, StatementProblem.LINE_LENGTH)]


def test_an_overlong_line_is_refused_without_being_held_whole():
    lines, report = read_all(statement(record(), "X" * 100_000, record(ticket="T3")))
    assert [x.line_number for x in lines] == [1, 3]
    assert refused(report) == [(2, StatementProblem.LINE_TOO_LONG)]


def test_carriage_returns_alone_are_refused_not_read_as_one_header():
    _, report = read_all(statement(record(), record(ticket="T2"), end="\r"))
    assert refused(report) == [(1, StatementProblem.LINE_END)]


# --- encodings ----------------------------------------------------------------------------

@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_utf8_file_is_decoded_and_counted(bom):
    data = bom + statement(HEADER, record(buyer=BUYER), record(ticket="T2"),
                           encoding="utf-8").getvalue()
    lines, report = read_all(io.BytesIO(data))
    assert lines[0].buyer.last_name == "Lefèvre-Œuvray"
    assert lines[0].buyer.city == "Saint-Étienne"
    assert report.utf8_lines == (2 if bom else 1)  # the BOM marks the header line too
    assert report.refused == []


def test_a_utf8_file_padded_by_bytes_is_refused():
    # A producer that pads bytes, not characters: 213 bytes, but the five accented letters
    # take two bytes each, so the line holds 208 characters and the fields after them move.
    head = record().encode("utf-8")
    buyer = b"".join(value.encode("utf-8").ljust(width) for value, width in
                     zip(BUYER, (32, 32, 25, 5, 7, 6), strict=True))
    data = head + buyer
    assert len(data) == 213 and len(data.decode("utf-8")) == 208
    lines, report = read_all(io.BytesIO(data + b"\r\n"))
    assert lines == []
    assert refused(report) == [(1, StatementProblem.UTF8_PADDED_BY_BYTES)]
    assert report.refused[0].params == {"length": 208}


def test_digits_of_another_script_are_not_an_amount():
    _, report = read_all(statement(record(amount="٤٥.٠٠"), encoding="utf-8"))
    assert refused(report) == [(1, StatementProblem.AMOUNT)]


def test_a_byte_windows_1252_leaves_undefined_is_refused():
    data = statement(record(), record(ticket="T2")).getvalue().replace(b"T2", b"T\x81", 1)
    lines, report = read_all(io.BytesIO(data))
    assert [x.line_number for x in lines] == [1]
    assert refused(report) == [(2, StatementProblem.BYTE)]
    assert report.refused[0].params == {"byte": "0x81", "column": 76}


def test_a_nul_byte_is_refused():
    data = statement(record()).getvalue().replace(b"CONCERT", b"CONC\x00RT")
    _, report = read_all(io.BytesIO(data))
    assert refused(report) == [(1, StatementProblem.BYTE)]


# --- fields -------------------------------------------------------------------------------

def test_letters_in_the_amount_are_refused_with_the_line_number_and_the_rest_read():
    lines, report = read_all(statement(HEADER, record(), record(amount="45.OO", ticket="T2"),
                                       record(ticket="T3")))
    assert [x.line_number for x in lines] == [2, 4]
    assert refused(report) == [(3, StatementProblem.AMOUNT)]
    assert report.refused[0].params == {"value": "45.OO", "notation": "DECIMAL_POINT"}


@pytest.mark.parametrize(("notation", "text", "cents"), [
    (POINT, "45.00", 4500), (POINT, "0000045.50", 4550), (POINT, "-12.05", -1205),
    (POINT, "0.00", 0), (COMMA, "45,00", 4500), (COMMA, "1234567,89", 123456789),
    (CENTS, "4500", 4500), (CENTS, "0000004500", 4500), (CENTS, "-150", -150),
])
def test_amounts_in_each_notation(notation, text, cents):
    [line], _ = read_all(statement(record(amount=text)), notation)
    assert line.amount_cents == cents


@pytest.mark.parametrize(("notation", "text"), [
    (POINT, "45,00"), (POINT, "4500"), (POINT, "45.0"), (POINT, "45.000"), (POINT, ""),
    (POINT, "1 234.00"), (POINT, "+45.00"), (POINT, "45.00-"),
    (COMMA, "45.00"), (COMMA, "1.234,00"), (COMMA, "4500"),
    (CENTS, "45.00"), (CENTS, "45,00"), (CENTS, "45 00"), (CENTS, "4e3"),
])
def test_an_amount_in_another_notation_is_refused(notation, text):
    _, report = read_all(statement(HEADER, record(amount=text)), notation)
    assert refused(report) == [(2, StatementProblem.AMOUNT)]


@pytest.mark.parametrize("text", ["31/02/2017 20:30", "2017/09/05 20:30", "05-09-2017 20:30",
                                  "05/09/17 20:30", "05/09/2017 2030", "05/09/2017 25:00",
                                  "05/09/2017", "", "5/9/2017 20:30", "2017-09-05T20:30"])
def test_a_date_in_no_accepted_form_is_refused(text):
    _, report = read_all(statement(record(date=text)))
    assert refused(report) == [(1, StatementProblem.DATE)]
    assert report.refused[0].params == {"value": text}


@pytest.mark.parametrize(("fields", "code"), [
    ({"flag": "X"}, StatementProblem.CANCELLATION_FLAG),
    ({"flag": "a"}, StatementProblem.CANCELLATION_FLAG),
    ({"row": "12A"}, StatementProblem.ROW),
    ({"row": "-1"}, StatementProblem.ROW),
    ({"seat": "B7"}, StatementProblem.SEAT),
    ({"currency": ""}, StatementProblem.CURRENCY),
    ({"currency": "eur"}, StatementProblem.CURRENCY),
    ({"ticket": ""}, StatementProblem.TICKET_ID_EMPTY),
])
def test_a_bad_field_is_refused_with_its_code(fields, code):
    _, report = read_all(statement(record(**fields)))
    assert refused(report) == [(1, code)]


def test_a_strict_read_raises_at_the_first_refused_line():
    with pytest.raises(StatementError) as caught:
        list(statement_read(statement(HEADER, record(), record(amount="4500")),
                            amount_notation=POINT))
    error = caught.value
    assert (error.line_number, error.code, error.params) == (
        3, StatementProblem.AMOUNT, {"value": "4500", "notation": "DECIMAL_POINT"})


def test_a_collecting_read_keeps_the_first_refused_lines_and_counts_them_all():
    bad = record(amount="XX")
    _, report = read_all(statement(*([bad] * 1500)))
    assert report.refused_count == 1500
    assert len(report.refused) == 1000
    assert report.refused[-1].line_number == 1000


def test_the_reader_streams_the_file_line_by_line():
    stream = statement(*([record()] * 10_000))
    read = statement_read(stream, amount_notation=POINT)
    next(read)
    assert stream.tell() < 1000


def test_a_statement_error_survives_pickling():
    import pickle

    error = StatementError(7, StatementProblem.AMOUNT, {"value": "X", "notation": "CENTS"})
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.line_number, copy.code, copy.params) == (7, error.code, error.params)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.binary(max_size=240), st.sampled_from([
    record().encode(), record(buyer=BUYER).encode("cp1252"), b"\r", b"\xef\xbb\xbf"])),
    max_size=8))
def test_any_bytes_are_read_or_refused_never_crash(chunks):
    data = b"\n".join(chunks)
    lines, report = read_all(io.BytesIO(data))
    assert report.lines == report.records + report.skipped + report.refused_count
    assert len(lines) == report.records
    strict = []
    with contextlib.suppress(StatementError):
        strict.extend(statement_read(io.BytesIO(data), amount_notation=POINT))
    assert strict == lines[:len(strict)]


def _mutated(data: bytes, at: int, byte: int) -> bytes:
    return data[:at] + bytes([byte]) + data[at + 1:] if data else data


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(
    st.binary(max_size=240),
    st.sampled_from([record().encode(), record(buyer=BUYER).encode("cp1252"),
                     record(flag="A", date="2017-09-05 20:30").encode(), b"\r",
                     b"\xef\xbb\xbf", record(row="    ", seat="0012").encode()]),
    st.builds(_mutated, st.sampled_from([record().encode(), record(buyer=BUYER).encode("cp1252")]),
              st.integers(0, 212), st.integers(0, 255)),
), max_size=8), st.sampled_from(list(AmountNotation)), st.booleans())
def test_the_bulk_reader_reads_refuses_and_counts_exactly_as_the_reader(chunks, notation, crlf):
    data = (b"\r\n" if crlf else b"\n").join(chunks)
    slow = StatementReport()
    expected = [_line_fields(line) for line in
                statement_read(io.BytesIO(data), amount_notation=notation, report=slow)]
    fast = StatementReport()
    got = list(statement_rows(io.BytesIO(data), amount_notation=notation, report=fast))
    assert got == expected

    def seen(report):
        return (report.lines, report.records, report.skipped, report.skipped_line_numbers,
                [(e.line_number, e.code, e.params) for e in report.refused],
                report.refused_count, report.utf8_lines)

    assert seen(fast) == seen(slow)


# --- the writer ---------------------------------------------------------------------------

LINE = StatementLine(
    line_number=0, label="CONCERT", performance_at=datetime(2017, 9, 5, 20, 30),
    cancelled=False, category="1", price_code="2", fiscal_code="F0001", zone="101", row=12,
    seat=7, amount_cents=4500, currency="EUR", ticket_id="AA05EC0000000001",
    buyer=StatementBuyer(*BUYER))


def written(lines, **options):
    options = {"with_buyer": True, "amount_notation": POINT, **options}
    stream = io.BytesIO()
    count = statement_write(lines, stream, **options)
    return stream.getvalue(), count


def test_the_writer_produces_the_layout_in_windows_1252_with_crlf():
    data, count = written([LINE, LINE.__class__(**{**_fields(LINE), "cancelled": True})])
    assert count == 2
    assert data == (record(buyer=BUYER) + "\r\n" + record(buyer=BUYER, flag="A")
                    + "\r\n").encode("cp1252")


def test_the_writer_without_buyer_writes_106_characters():
    data, _ = written([LINE], with_buyer=False, amount_notation=COMMA,
                      date_notation=DateNotation.ISO)
    assert data == (record(amount="45,00", date="2017-09-05 20:30") + "\r\n").encode("cp1252")


def test_the_writer_adds_header_and_trailer_lines_the_reader_skips():
    data, _ = written([LINE], header=[HEADER], trailer=[TRAILER], amount_notation=CENTS)
    lines, report = read_all(io.BytesIO(data), CENTS)
    assert data.startswith(HEADER.encode() + b"\r\n") and data.endswith(b"FIN 000003\r\n")
    assert [x.line_number for x in lines] == [2] and report.skipped == 2


def _fields(line):
    return {name: getattr(line, name) for name in StatementLine.__dataclass_fields__}


@pytest.mark.parametrize(("change", "code"), [
    ({"label": "CONCERT D'OUVERTURE"}, StatementProblem.FIELD_TOO_LONG),
    ({"ticket_id": "A" * 17}, StatementProblem.FIELD_TOO_LONG),
    ({"ticket_id": ""}, StatementProblem.TICKET_ID_EMPTY),
    ({"row": 10_000}, StatementProblem.FIELD_TOO_LONG),
    ({"seat": -1}, StatementProblem.SEAT),
    ({"amount_cents": 10_000_000_00}, StatementProblem.FIELD_TOO_LONG),
    ({"currency": "EURO"}, StatementProblem.CURRENCY),
    ({"zone": " 101"}, StatementProblem.FIELD_TEXT),
    ({"label": "A\nB"}, StatementProblem.FIELD_TEXT),
    ({"buyer": StatementBuyer(last_name="Nguyễn")}, StatementProblem.FIELD_NOT_CP1252),
    ({"buyer": StatementBuyer(last_name="Ã©")}, StatementProblem.AMBIGUOUS_ENCODING),
    ({"performance_at": datetime(2017, 9, 5, 20, 30, 15)}, StatementProblem.DATE),
    ({"performance_at": datetime.fromisoformat("2017-09-05T20:30+02:00")},
     StatementProblem.DATE),
])
def test_the_writer_refuses_a_value_that_does_not_fit(change, code):
    bad = StatementLine(**{**_fields(LINE), **change})
    with pytest.raises(StatementError) as caught:
        written([bad])
    assert (caught.value.line_number, caught.value.code) == (1, code)


def test_the_writer_numbers_its_errors_after_the_header():
    bad = StatementLine(**{**_fields(LINE), "label": "X" * 11})
    with pytest.raises(StatementError) as caught:
        written([LINE, bad], header=[HEADER])
    assert caught.value.line_number == 3
    assert caught.value.params == {"field": "label", "value": "X" * 11, "width": 10}


@pytest.mark.parametrize("header", [record(), "X" * 107, "CONCERT   05/09/2017 20:30"])
def test_the_writer_refuses_a_header_the_reader_would_take_for_a_record(header):
    with pytest.raises(StatementError) as caught:
        written([LINE], header=[header])
    assert (caught.value.line_number, caught.value.code) == (1, StatementProblem.NOT_A_HEADER)


# --- round trip ---------------------------------------------------------------------------

CP1252_PRINTABLE = "".join(
    ch for ch in bytes(range(0x20, 0x100)).decode("cp1252", errors="ignore")
    if ch != "\x7f")


def text(width, *, min_size=0):
    return (st.text(CP1252_PRINTABLE, min_size=min_size, max_size=width)
            .map(str.strip).filter(lambda s: len(s) >= min_size))


numbers = st.one_of(st.none(), st.integers(0, 9999))
buyers = st.one_of(st.none(), st.builds(
    StatementBuyer, text(32), text(32), text(25), text(5), text(7), text(6)))
lines_ = st.builds(
    StatementLine, line_number=st.just(0), label=text(10),
    performance_at=st.datetimes(datetime(1000, 1, 1), datetime(9999, 12, 31))
    .map(lambda d: d.replace(second=0, microsecond=0)),
    cancelled=st.booleans(), category=text(2), price_code=text(10), fiscal_code=text(10),
    zone=text(4), row=numbers, seat=numbers, amount_cents=st.integers(-99_999_999, 999_999_999),
    currency=st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=3, max_size=3),
    ticket_id=text(16, min_size=1), buyer=buyers)


@settings(max_examples=300)
@given(st.lists(lines_, max_size=6), st.booleans(), st.sampled_from(list(AmountNotation)),
       st.sampled_from(list(DateNotation)))
def test_what_the_writer_writes_the_reader_reads_back(lines, with_buyer, notation, dates):
    try:
        data, count = written(lines, with_buyer=with_buyer, amount_notation=notation,
                              date_notation=dates, header=[HEADER], trailer=[TRAILER])
    except StatementError as error:
        # Only cp1252 text that would read as UTF-8 (mojibake such as "Ã©") may be refused.
        assume(error.code != StatementProblem.AMBIGUOUS_ENCODING)
        raise
    read, report = read_all(io.BytesIO(data), notation)
    expected = [StatementLine(**{
        **_fields(x), "line_number": n,
        "buyer": x.buyer if with_buyer and x.buyer != StatementBuyer() else None})
        for n, x in enumerate(lines, start=2)]
    assert read == expected
    assert count == len(lines) and report.refused == [] and report.skipped == 2


def test_the_documented_example_reads_as_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "statement-file.md").read_text()
    example = doc.split("## Example", 1)[1].split("```", 2)[1].strip("\n").replace("·", " ")
    lines, report = read_all(statement(*example.splitlines()))
    assert [(x.line_number, x.ticket_id, x.cancelled, x.amount_cents, x.row, x.seat)
            for x in lines] == [(2, "AA05EC0000000001", False, 4500, 12, 7),
                                (3, "AA05EC0000000002", True, 5000, 12, 8)]
    assert lines[0].buyer == StatementBuyer(*BUYER) and lines[1].buyer is None
    assert report.skipped_line_numbers == [1, 4] and report.refused == []
