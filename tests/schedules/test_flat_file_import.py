"""The flat-file import job: drop folder, idempotent re-import, parked and retried lines, every
garbage case, the command's exit codes, and the demo's sample file."""

import io
import json
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command

from catalog.models import Event, Tariff
from channels.models import SalesChannel
from sales.models import ParkedOperation, Ticket
from schedules.framework.runner import job_run
from schedules.models import ImportedFlatFile, Job, Run
from tests import factories as f

pytestmark = pytest.mark.django_db

HEADER = (
    "INSTITUTION_CODE;ORDER_NUMBER;ORDER_DATE;OPERATION_TYPE;TICKET_NUMBER;"
    "ORIGINAL_TICKET_NUMBER;PRODUCT_CODE;TARIFF_CODE;PRICE;VALID_FROM;VALID_UNTIL;BUYER_LAST_NAME"
)


def line(order, kind, ticket, *, original="", product="PASS26", tariff="PLEIN", price="4500",
         valid_from="2026-12-01 00:00:00", valid_until="2027-11-30 23:59:59", name="Martin"):
    return (f"505;{order};2026-11-29 10:00:00;{kind};{ticket};{original};{product};{tariff};"
            f"{price};{valid_from};{valid_until};{name}")


SALES = [
    line("O1", "SALE", "T1"),
    line("O2", "SALE", "T2", tariff="REDUIT", price="3000"),
    line("O1", "DUPLICATE", "T3", original="T1", price=""),
    line("O2", "REFUND", "T2", tariff="REDUIT", price=""),
]


@pytest.fixture
def passes(tmp_path):
    """A flat-file interface for undated passes with its product, tariffs and prices."""
    folder = tmp_path / "in"
    folder.mkdir()
    interface = f.InterfaceFactory(
        channel__kind=SalesChannel.Kind.FLAT_FILE,
        flat_files_undated_passes=True,
        flat_file_folder=str(folder),
        institution_code="505",
        institution__language="en",
    )
    institution = interface.institution
    product = f.EventFactory(institution=institution, code="PASS26", kind=Event.Kind.UNDATED_PASS)
    category = f.SeatCategoryFactory(institution=institution, name="Pass")
    for code, amount in (("PLEIN", 4500), ("REDUIT", 3000)):
        tariff = f.TariffFactory(institution=institution, code=code)
        f.PriceFactory(event=product, category=category, tariff=tariff, amount_cents=amount)
    return interface, folder


def drop(folder: Path, name: str, *lines: str, data: bytes | None = None) -> Path:
    path = folder / name
    path.write_bytes(data if data is not None else ("\n".join((HEADER, *lines)) + "\n").encode())
    return path


def run(interface, **params) -> Run:
    return job_run(interface_id=interface.pk, job=Job.FLAT_FILE_IMPORT, params=params)


def test_files_of_the_drop_folder_are_integrated_then_archived(passes):
    interface, folder = passes
    drop(folder, "TKN_1.csv", *SALES)
    result = run(interface)
    assert result.status == Run.Status.OK, result.messages
    assert result.counts["sold"] == 2 and result.counts["duplicated"] == 1
    assert result.counts["refunded"] == 1
    states = dict(Ticket.objects.values_list("number", "state"))
    assert states == {"T1": "invalidated", "T2": "cancelled", "T3": "valid"}
    reprint = Ticket.objects.get(number="T3")
    assert reprint.product.code == "PASS26" and reprint.performance is None
    assert reprint.valid_until.year == 2027 and reprint.price_cents == 4500
    assert reprint.order.contact == interface.contact
    assert not (folder / "TKN_1.csv").exists()
    assert (folder / "archive" / "TKN_1.csv").exists()


def test_the_same_content_again_changes_nothing(passes):
    interface, folder = passes
    drop(folder, "a.csv", *SALES)
    run(interface)
    drop(folder, "a-resent.csv", *SALES)
    again = run(interface)
    assert again.status == Run.Status.OK
    assert again.counts == {"files": 1, "files_already": 1}
    assert "nothing changed" in again.messages[0]["text"]
    assert Ticket.objects.count() == 3
    assert ImportedFlatFile.objects.count() == 1
    assert sorted(p.name for p in (folder / "archive").iterdir())[0].startswith("a")


def test_lines_already_integrated_in_another_file_are_skipped(passes):
    interface, folder = passes
    drop(folder, "a.csv", SALES[0])
    run(interface)
    drop(folder, "b.csv", *SALES)
    result = run(interface)
    assert result.counts["already_integrated"] == 1 and result.counts["sold"] == 1
    assert Ticket.objects.count() == 3


def test_a_bad_line_is_parked_with_its_line_number_and_the_rest_goes_through(passes):
    interface, folder = passes
    drop(folder, "bad.csv", SALES[0], line("O9", "SALE", "T9", price="45,00"), SALES[1])
    result = run(interface)
    assert result.status == Run.Status.WARNING
    assert result.counts["sold"] == 2 and result.counts["parked"] == 1
    parked = ParkedOperation.objects.get()
    assert parked.operation_id == "O9:SALE:T9"
    assert "bad.csv, line 3" in parked.message and "PRICE" in parked.message
    # The reasons read as words, not as keys ("invalid_line 1").
    [warning] = [m for m in result.messages if m["level"] == "warning"]
    assert "(incomplete or invalid line: 1)" in warning["text"]
    # Ticketnet sends the line corrected: it goes through and the parked one is resolved.
    drop(folder, "fixed.csv", line("O9", "SALE", "T9"))
    assert run(interface).status == Run.Status.OK
    parked.refresh_from_db()
    assert parked.resolved_at is not None
    assert Ticket.objects.filter(number="T9", state="valid").exists()


def test_a_parked_line_goes_through_on_the_next_run_once_its_cause_is_fixed(passes):
    interface, folder = passes
    drop(folder, "a.csv", line("O5", "SALE", "T5", tariff="ETUDIANT", price="2000"))
    first = run(interface)
    assert first.status == Run.Status.WARNING
    parked = ParkedOperation.objects.get()
    assert parked.reason == "unknown_tariff" and "ETUDIANT" in parked.message
    category = f.SeatCategoryFactory(institution=interface.institution, name="Other")
    tariff = f.TariffFactory(institution=interface.institution, code="ETUDIANT")
    f.PriceFactory(event=Event.objects.get(code="PASS26"), category=category, tariff=tariff,
                   amount_cents=2000)
    second = run(interface)
    assert second.status == Run.Status.OK
    assert second.counts["parked_lines_now_integrated"] == 1
    parked.refresh_from_db()
    assert parked.resolved_at is not None
    assert Ticket.objects.get(number="T5").category == category


def test_tariff_not_for_resellers_and_unknown_product_are_parked(passes):
    interface, folder = passes
    Tariff.objects.filter(code="REDUIT").update(audience_type=Tariff.AudienceType.MEMBER)
    drop(folder, "a.csv", line("O1", "SALE", "T1", product="NOPE"),
         line("O2", "SALE", "T2", tariff="REDUIT", price="3000"))
    result = run(interface)
    assert result.counts["parked_unknown_product"] == 1
    assert result.counts["parked_tariff_not_for_resellers"] == 1
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\xff", "binary"),
        ((HEADER + "\n" + SALES[0] + ";Cl\xe9ment\n").encode("latin-1"), "not UTF-8"),
        (HEADER.replace(";", ",").encode() + b"\n", "separator"),
        (HEADER.replace("TARIFF_CODE;", "").encode() + b"\n", "missing"),
    ],
)
def test_garbage_is_refused_moved_aside_and_changes_nothing(
    passes, data, expected, django_capture_on_commit_callbacks
):
    interface, folder = passes
    drop(folder, "garbage.csv", data=data)
    with django_capture_on_commit_callbacks(execute=True):
        result = run(interface)
    assert result.status == Run.Status.ERROR
    assert expected in result.messages[-1]["text"]
    assert "garbage.csv" in result.messages[-1]["text"]
    assert not Ticket.objects.exists() and not ParkedOperation.objects.exists()
    assert not ImportedFlatFile.objects.exists()
    assert (folder / "rejected" / "garbage.csv").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["followup@example.org"]


def test_messages_are_in_the_institution_language(passes, django_capture_on_commit_callbacks):
    interface, folder = passes
    interface.institution.language = "fr"
    interface.institution.save()
    drop(folder, "vide.csv", data=b"")
    with django_capture_on_commit_callbacks(execute=True):
        result = run(interface)
    assert result.messages[-1]["text"] == (
        "vide.csv a été refusé, rien n'en a été intégré : Le fichier est vide."
    )
    assert "format" in mail.outbox[0].body


def test_an_interface_without_flat_files_refuses_the_job():
    interface = f.InterfaceFactory(institution__language="en")
    result = run(interface)
    assert result.status == Run.Status.ERROR
    assert "takes no flat files" in result.messages[-1]["text"]


def test_a_missing_drop_folder_is_an_error_saying_what_to_do(passes):
    interface, folder = passes
    folder.rmdir()
    result = run(interface)
    assert result.status == Run.Status.ERROR
    assert "does not exist" in result.messages[-1]["text"]


def _command(*args) -> tuple[int, dict]:
    out = io.StringIO()
    try:
        call_command("import_flat_file", *args, "--json", stdout=out, stderr=io.StringIO())
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    return code, json.loads(out.getvalue())


def test_the_command_imports_one_file_and_leaves_it_in_place(passes, tmp_path):
    interface, _folder = passes
    path = drop(tmp_path, "given.csv", *SALES)
    code, report = _command("--interface", interface.internal_name, str(path))
    assert (code, report["status"]) == (0, "OK")
    assert report["counts"]["sold"] == 2
    assert path.exists()
    code, report = _command("--interface", interface.internal_name, str(path))
    assert (code, report["counts"]) == (0, {"files": 1, "files_already": 1})


def test_the_command_exit_codes_for_warning_error_and_bad_usage(passes, tmp_path):
    interface, _folder = passes
    parked = drop(tmp_path, "parked.csv", line("O1", "SALE", "T1", product="NOPE"))
    assert _command("--interface", interface.internal_name, str(parked))[0] == 3
    empty = drop(tmp_path, "empty.csv", data=b"")
    assert _command("--interface", interface.internal_name, str(empty))[0] == 1
    code, report = _command("--interface", interface.internal_name, str(tmp_path / "none.csv"))
    assert code == 1 and "There is no file" in report["messages"][0]["text"]


def test_the_demo_imports_its_sample_file(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    from sales.demo import FLAT_FILE_INTERFACE, SAMPLE_FLAT_FILE

    code, report = _command("--interface", FLAT_FILE_INTERFACE, str(SAMPLE_FLAT_FILE))
    assert (code, report["status"]) == (0, "OK")
    assert report["counts"]["sold"] == 3
    assert report["counts"]["duplicated"] == 1 and report["counts"]["refunded"] == 1


def test_the_admin_retry_sends_pass_lines_to_the_flat_file_import(
    passes, client, django_capture_on_commit_callbacks
):
    interface, folder = passes
    drop(folder, "a.csv", line("O1", "SALE", "T1", tariff="NOPE"))
    run(interface)
    parked = ParkedOperation.objects.get()
    user = f.UserFactory(institutions=[interface.institution], is_superuser=True)
    client.force_login(user)
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("admin:sales_parkedoperation_changelist"),
                    {"action": "retry_action", "_selected_action": [parked.pk]})
    [queued] = callbacks
    assert queued.keywords["kwargs"]["job"] == Job.FLAT_FILE_IMPORT
    assert queued.keywords["kwargs"]["params"] == {"parked_operation_ids": [parked.pk]}
    assert queued.keywords["kwargs"]["trigger"] == Run.Trigger.RETRY
