"""The flat-file parser: the documented format, every garbage case, and a round trip."""

import csv
import datetime as dt
import io
import zoneinfo

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from sales.flat_file import COLUMNS, FlatFileRefused, flat_file_parse
from texts import render

TZ = "Europe/Paris"
HEADER = (
    "INSTITUTION_CODE;ORDER_NUMBER;ORDER_DATE;OPERATION_TYPE;TICKET_NUMBER;"
    "ORIGINAL_TICKET_NUMBER;PRODUCT_CODE;TARIFF_CODE;PRICE;CURRENCY;VALID_FROM;VALID_UNTIL;"
    "POINT_OF_SALE;BUYER_LAST_NAME;BUYER_FIRST_NAME;BUYER_CITY;BUYER_POSTAL_CODE;BUYER_COUNTRY"
)
SALE = (
    "505;TN1;2026-11-29 10:12:00;SALE;8801;;PASS26;PLEIN;4500;EUR;2026-12-01 00:00:00;"
    "2027-11-30 23:59:59;TKN;Martin;Claire;Lyon;69002;FR"
)


def parse(text: str | bytes, institution_code="505"):
    data = text.encode() if isinstance(text, str) else text
    return flat_file_parse(data=data, institution_code=institution_code, time_zone=TZ)


def test_the_documented_example_parses():
    with open("docs/flat-file.md", encoding="utf-8") as doc:
        example = doc.read().split("```\n", 2)[1].split("```", 1)[0]
    parsed = parse(example)
    assert parsed.errors == []
    assert [r.operation_type for r in parsed.records] == ["SALE", "SALE", "DUPLICATE", "REFUND"]
    sale = parsed.records[0]
    assert sale.price_cents == 4500
    assert sale.order_date == dt.datetime(2026, 11, 29, 10, 12, tzinfo=zoneinfo.ZoneInfo(TZ))
    assert parsed.records[1].buyer_last_name == "Dupont; Durand"
    assert parsed.records[2].original_ticket_number == "8801000000000001"
    assert parsed.records[0].line_number == 2


def test_same_content_same_hash_and_identity():
    first, second = parse(f"{HEADER}\n{SALE}\n"), parse(f"{HEADER}\n{SALE}\n")
    assert first.sha256 == second.sha256
    assert first.records[0].operation_id == "TN1:SALE:8801"


def test_bom_and_crlf_are_tolerated():
    parsed = parse(b"\xef\xbb\xbf" + f"{HEADER}\r\n{SALE}\r\n".encode())
    assert len(parsed.records) == 1 and parsed.errors == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (f"{HEADER}\n{SALE}\n".replace("Claire", "Cl\xe9ment").encode("latin-1"), "not UTF-8: line 2"),
        (HEADER.replace(";", ",").encode() + b"\n" + SALE.replace(";", ",").encode(), "separator"),
        (HEADER.replace("TARIFF_CODE;", "").encode() + b"\n", "missing"),
        (HEADER.replace("PRICE", "AMOUNT").encode() + b"\n", "Unknown columns"),
        ((HEADER + ";PRICE").encode() + b"\n", "Repeated"),
        (HEADER.encode() + b"\n", "no line"),
    ],
)
def test_garbage_is_refused_whole_with_a_clear_message(data, expected):
    with pytest.raises(FlatFileRefused) as refused:
        parse(data)
    assert expected in str(refused.value)


def test_refusal_is_translated():
    with translation.override("fr"), pytest.raises(FlatFileRefused) as refused:
        parse(b"")
    assert str(refused.value) == "Le fichier est vide."


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda f: f.__setitem__(0, "999"), "INSTITUTION_CODE “999”"),
        (lambda f: f.__setitem__(3, "SWAP"), "OPERATION_TYPE “SWAP”"),
        (lambda f: f.__setitem__(2, "29/11/2026"), "ORDER_DATE “29/11/2026”"),
        (lambda f: f.__setitem__(8, "45,00"), "PRICE “45,00”"),
        (lambda f: f.__setitem__(8, ""), "A SALE needs its PRICE"),
        (lambda f: f.__setitem__(6, ""), "PRODUCT_CODE is empty"),
        (lambda f: f.__setitem__(11, "2026-01-01 00:00:00"), "VALID_UNTIL is before VALID_FROM"),
        (lambda f: f.__setitem__(3, "DUPLICATE"), "ORIGINAL_TICKET_NUMBER"),
        (lambda f: f.__setitem__(9, "EURO"), "CURRENCY"),
        (lambda f: f.__setitem__(6, "PRODUCT-CODE-TOO-LONG"), "PRODUCT_CODE is longer"),
        (lambda f: f.pop(), "17 fields instead of 18"),
    ],
)
def test_a_bad_line_is_reported_with_its_number_and_reason(change, expected):
    fields = SALE.split(";")
    change(fields)
    parsed = parse(f"{HEADER}\n{SALE}\n{';'.join(fields)}\n{SALE.replace('8801', '8802')}\n")
    assert [r.line_number for r in parsed.records] == [2, 4]
    assert len(parsed.errors) == 1
    assert parsed.errors[0].line_number == 3
    assert expected in render(parsed.errors[0].message)


def test_columns_may_come_in_any_order_and_optional_ones_may_be_left_out():
    header = "TICKET_NUMBER;OPERATION_TYPE;PRODUCT_CODE;TARIFF_CODE;INSTITUTION_CODE;ORDER_NUMBER;ORDER_DATE;PRICE"
    parsed = parse(f"{header}\n8801;sale;PASS26;PLEIN;505;TN1;2026-11-29 10:12:00;4500\n")
    record = parsed.records[0]
    assert (record.ticket_number, record.operation_type, record.currency) == ("8801", "SALE", "EUR")
    assert record.valid_from is None and record.buyer_last_name == ""


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20
).map(str.strip)
_code = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=8)
_moment = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2099, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)


@st.composite
def _lines(draw):
    operation = draw(st.sampled_from(["SALE", "DUPLICATE", "REFUND"]))
    ticket = draw(_code)
    return {
        "INSTITUTION_CODE": "505",
        "ORDER_NUMBER": draw(_code),
        "ORDER_DATE": draw(_moment).strftime("%Y-%m-%d %H:%M:%S"),
        "OPERATION_TYPE": operation,
        "TICKET_NUMBER": ticket,
        "ORIGINAL_TICKET_NUMBER": ticket + "0" if operation == "DUPLICATE" else "",
        "PRODUCT_CODE": draw(_code),
        "TARIFF_CODE": draw(_code),
        "PRICE": str(draw(st.integers(0, 10**7))) if operation == "SALE" else "",
        "CURRENCY": "EUR",
        "VALID_FROM": "",
        "VALID_UNTIL": "",
        "POINT_OF_SALE": "TKN",
        "BUYER_LAST_NAME": draw(_text),
        "BUYER_FIRST_NAME": draw(_text),
        "BUYER_CITY": draw(_text),
        "BUYER_POSTAL_CODE": draw(_code),
        "BUYER_COUNTRY": "FR",
    }


@settings(max_examples=150, deadline=None)
@given(st.lists(_lines(), min_size=1, max_size=15), st.permutations(COLUMNS))
def test_round_trip_of_any_valid_file(lines, columns):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(columns)
    for line in lines:
        writer.writerow([line[c] for c in columns])
    parsed = parse(out.getvalue())
    assert parsed.errors == []
    assert len(parsed.records) == len(lines)
    for record, line in zip(parsed.records, lines, strict=True):
        assert record.ticket_number == line["TICKET_NUMBER"]
        assert record.buyer_last_name == line["BUYER_LAST_NAME"]
        assert record.buyer_city == line["BUYER_CITY"]
        assert record.price_cents == (int(line["PRICE"]) if line["PRICE"] else None)
        assert record.order_date.strftime("%Y-%m-%d %H:%M:%S") == line["ORDER_DATE"]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_are_parsed_or_refused_never_crash(data):
    try:
        parsed = parse(HEADER.encode() + b"\n" + data)
    except FlatFileRefused:
        return
    assert parsed.line_count >= 1
