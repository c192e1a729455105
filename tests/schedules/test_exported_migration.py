"""The data migration of the export records: one per event (competition performance), the codes
they sent locked, and an event exported twice before (its code changed in between, the bug)
kept once with its other code still resolving its sales."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalog.models import Event
from mappings.known import KnownCode, KnownCodeChange
from mappings.models import Correspondence, Kind
from mappings.selectors import correspondence_book
from mappings.services import correspondences_fill_suggestions
from mappings.suggestions import start_code
from schedules.models import ExportedManifestation
from tests import factories as f
from tests.mappings.factories import build_event

BEFORE = [("schedules", "0004_integration_cursor"), ("mappings", "0001_initial")]


@pytest.mark.django_db(transaction=True)
def test_records_become_one_per_event_and_lock_what_they_sent():
    interface = f.InterfaceFactory()
    single = build_event(interface=interface, code="SOLO")
    competition = build_event(interface=interface, kind=Event.Kind.COMPETITION, performances=2,
                              code="CUP")
    assert correspondences_fill_suggestions(interface=interface).ok
    perf = single.performances.get()
    sent_first = Correspondence.objects.get(interface=interface, event=single).code

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Exported = old.get_model("schedules", "ExportedManifestation")
    OldCorrespondence = old.get_model("mappings", "Correspondence")
    now = timezone.now()

    def record(event_id, code, performances, performance_id=None, when=now):
        return Exported.objects.create(
            interface_id=interface.pk, manifestation_code=code, event_id=event_id,
            performance_id=performance_id, performances=performances, exported_at=when,
            payload_hash="0" * 64, summary={})

    # Exported, its code changed through the grid, exported again: two manifestations.
    record(single.pk, sent_first, [{"id": perf.pk, "code": start_code(perf.start)}],
           when=now - dt.timedelta(days=2))
    OldCorrespondence.objects.filter(interface_id=interface.pk, event_id=single.pk).update(
        code="1798")
    record(single.pk, "1798", [{"id": perf.pk, "code": start_code(perf.start)}])
    for p in competition.performances.all():
        manifestation, code = OldCorrespondence.objects.get(
            interface_id=interface.pk, performance_id=p.pk).code.split("_")
        record(competition.pk, manifestation, [{"id": p.pk, "code": code}], performance_id=p.pk)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    kept = ExportedManifestation.objects.get(event=single)
    assert kept.manifestation_code == "1798"
    assert ExportedManifestation.objects.filter(event=competition).count() == 2
    zones = set(perf.configuration.zones.values_list("pk", flat=True))
    assert set(kept.sent_objects["zone"]) == zones
    assert kept.sent_objects["configuration"] == [perf.configuration_id]
    assert len(kept.sent_objects["tariff"]) == 2
    # Every code the records sent is locked, since the first export.
    known = KnownCode.objects.get(correspondence__event=single)
    assert (known.code, known.manifestation_code) == ("1798", sent_first)
    assert known.since == now - dt.timedelta(days=2)
    assert KnownCode.objects.filter(correspondence__kind=Kind.PERFORMANCE).count() == 2
    assert KnownCode.objects.filter(correspondence__zone__in=zones).count() == len(zones)
    # The other manifestation Ticketnet holds still resolves its sales to the event.
    change = KnownCodeChange.objects.get()
    assert (change.old_code, change.new_code, change.source) == \
        (sent_first, "1798", KnownCodeChange.Source.BEFORE_LOCK)
    book = correspondence_book(interface=interface)
    assert book.object_id_for(Kind.EVENT, sent_first) == single.pk
    assert book.object_id_for(Kind.EVENT, "1798") == single.pk
