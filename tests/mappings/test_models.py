import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import Event, Tariff
from mappings.models import (
    Correspondence,
    CorrespondenceCode,
    Kind,
    correspondence_codes_write,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


# The guide's example: 1701_1709052030 is the performance of 5 September 2017, 20:30 (Paris).
GUIDE_START = dt.datetime(2017, 9, 5, 20, 30, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def interface():
    return f.InterfaceFactory()


def _new(interface, kind, target, code):
    c = Correspondence(interface=interface, code=code)
    c.set_target(kind, target.pk)
    return c


def _errors(c):
    with pytest.raises(ValidationError) as exc:
        c.full_clean()
    return exc.value.message_dict


def test_valid_correspondences_save_their_codes(interface):
    tariff = f.TariffFactory(institution=interface.institution)
    c = _new(interface, Kind.TARIFF, tariff, "15|20|22")
    c.full_clean()
    c.save()
    assert sorted(c.codes.values_list("value", flat=True)) == ["15", "20", "22"]
    c.code = "15|21"
    c.save()
    assert sorted(c.codes.values_list("value", flat=True)) == ["15", "21"]


def test_code_format_by_kind(interface):
    event = f.EventFactory(institution=interface.institution)
    assert "enter 101" in " ".join(_errors(_new(interface, Kind.EVENT, event, "0101"))["code"])
    zone = f.ZoneFactory(configuration__hall__institution=interface.institution)
    assert "code" in _errors(_new(interface, Kind.ZONE, zone, "1|2"))


def test_no_event_code_on_a_competition(interface):
    competition = f.EventFactory(institution=interface.institution, kind=Event.Kind.COMPETITION)
    errors = _errors(_new(interface, Kind.EVENT, competition, "1701"))
    assert "competition" in " ".join(errors["event"])


def test_double_code_only_on_competition_performances(interface):
    single = f.PerformanceFactory(event__institution=interface.institution)
    errors = _errors(_new(interface, Kind.PERFORMANCE, single, "1701_1709052030"))
    assert "single event" in " ".join(errors["performance"])
    perf = f.PerformanceFactory(event__institution=interface.institution,
                                event__kind=Event.Kind.COMPETITION, start=GUIDE_START)
    _new(interface, Kind.PERFORMANCE, perf, "1701_1709052030").full_clean()
    assert "code" in _errors(_new(interface, Kind.PERFORMANCE, perf, "1701"))


def test_reseller_tariffs_must_be_occasional(interface):
    member = f.TariffFactory(institution=interface.institution, code="ADH", name="Adhérent",
                             audience_type=Tariff.AudienceType.MEMBER)
    message = " ".join(_errors(_new(interface, Kind.TARIFF, member, "3"))["tariff"])
    assert "ADH — Adhérent" in message and "Member" in message
    group = f.TariffFactory(institution=interface.institution,
                            audience_type=Tariff.AudienceType.OCCASIONAL_COLLECTIVITY)
    _new(interface, Kind.TARIFF, group, "3").full_clean()


def test_a_code_is_unique_per_interface_and_kind(interface):
    a, b = (f.ZoneFactory(configuration__hall__institution=interface.institution)
            for _ in range(2))
    _new(interface, Kind.ZONE, a, "101").save()
    assert "already used" in " ".join(_errors(_new(interface, Kind.ZONE, b, "101"))["code"])
    # Another kind or another interface may use it.
    _new(interface, Kind.CATEGORY, f.SeatCategoryFactory(institution=interface.institution),
         "101").full_clean()
    other = f.InterfaceFactory(institution=interface.institution)
    _new(other, Kind.ZONE, b, "101").full_clean()


def test_each_tariff_code_is_unique_across_tariffs(interface):
    t1, t2 = (f.TariffFactory(institution=interface.institution) for _ in range(2))
    _new(interface, Kind.TARIFF, t1, "15|20|22").save()
    assert "20" in " ".join(_errors(_new(interface, Kind.TARIFF, t2, "5|20"))["code"])
    with pytest.raises(IntegrityError), transaction.atomic():
        _new(interface, Kind.TARIFF, t2, "5|20").save()


def test_manifestation_codes_are_shared_by_events_and_competition_performances(interface):
    _new(interface, Kind.EVENT, f.EventFactory(institution=interface.institution), "1701").save()
    perf = f.PerformanceFactory(event__institution=interface.institution,
                                event__kind=Event.Kind.COMPETITION, start=GUIDE_START)
    errors = _errors(_new(interface, Kind.PERFORMANCE, perf, "1701_1709052030"))
    assert "manifestation code 1701" in " ".join(errors["code"])


def test_one_correspondence_per_object_and_interface(interface):
    event = f.EventFactory(institution=interface.institution)
    _new(interface, Kind.EVENT, event, "1701").save()
    assert "already has the code 1701" in " ".join(
        _errors(_new(interface, Kind.EVENT, event, "1702"))["event"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Correspondence.objects.create(interface=interface, kind=Kind.EVENT, event=event,
                                      code="1703")


def test_object_of_another_institution_refused(interface):
    errors = _errors(_new(interface, Kind.EVENT, f.EventFactory(), "1701"))
    assert "another institution" in " ".join(errors["event"])


@pytest.mark.parametrize(
    ("kind", "factory"),
    [(Kind.ZONE, f.ZoneFactory), (Kind.CONFIGURATION, f.LogicalConfigurationFactory),
     (Kind.CATEGORY, f.SeatCategoryFactory)],
)
def test_objects_reached_through_others_are_judged_by_their_own_institution(
    interface, kind, factory
):
    field = Correspondence(kind=kind).target_field
    errors = _errors(_new(interface, kind, factory(), "17"))
    assert "This object belongs to another institution." in errors[field]
    mine = {Kind.ZONE: {"configuration__hall__institution": interface.institution},
            Kind.CONFIGURATION: {"hall__institution": interface.institution},
            Kind.CATEGORY: {"institution": interface.institution}}[kind]
    _new(interface, kind, factory(**mine), "17").full_clean()


def test_database_refuses_a_target_of_the_wrong_kind(interface):
    event = f.EventFactory(institution=interface.institution)
    with pytest.raises(IntegrityError), transaction.atomic():
        Correspondence.objects.create(interface=interface, kind=Kind.ZONE, event=event, code="1")


def test_codes_go_with_their_correspondence(interface):
    c = _new(interface, Kind.TARIFF, f.TariffFactory(institution=interface.institution), "1|2")
    c.save()
    c.delete()
    assert CorrespondenceCode.objects.count() == 0


def _side_table(interface):
    return sorted(CorrespondenceCode.objects.filter(interface=interface)
                  .values_list("correspondence_id", "namespace", "value"))


def test_the_code_side_table_is_written_in_bulk_in_two_queries(
    interface, django_assert_num_queries
):
    tariffs = [f.TariffFactory(institution=interface.institution) for _ in range(30)]
    competition = f.EventFactory(institution=interface.institution, kind=Event.Kind.COMPETITION)
    perf = f.PerformanceFactory(event=competition)
    saved = Correspondence.objects.bulk_create(
        [_new(interface, Kind.TARIFF, t, f"{i}|{100 + i}") for i, t in enumerate(tariffs, 1)]
        + [_new(interface, Kind.PERFORMANCE, perf, "1701_1709052030")]
    )
    with django_assert_num_queries(2):  # the old rows out, the new ones in
        correspondence_codes_write(correspondences=saved)
    rows = _side_table(interface)
    assert len(rows) == 61
    assert {(saved[0].pk, "tariff", "1"), (saved[0].pk, "tariff", "101")} <= set(rows)
    assert (saved[-1].pk, "manifestation", "1701") in rows

    saved[0].code = "999"
    with django_assert_num_queries(2):
        correspondence_codes_write(correspondences=[saved[0]])
    assert [(ns, v) for pk, ns, v in _side_table(interface) if pk == saved[0].pk] == [
        ("tariff", "999")
    ]
    assert len(_side_table(interface)) == 60


def test_bulk_entry_writes_the_same_side_table_as_save(interface):
    from mappings.services import Entry, correspondences_apply

    one, two = (f.TariffFactory(institution=interface.institution) for _ in range(2))
    _new(interface, Kind.TARIFF, one, "15|20").save()
    result = correspondences_apply(interface=interface, entries=[
        Entry(kind=Kind.TARIFF, object_id=one.pk, code="15|21"),
        Entry(kind=Kind.TARIFF, object_id=two.pk, code="20"),
    ])
    assert result.saved, result.errors
    rows = _side_table(interface)
    by_target = {c.pk: c.tariff_id for c in Correspondence.objects.filter(interface=interface)}
    assert sorted((by_target[pk], v) for pk, _ns, v in rows) == sorted(
        [(one.pk, "15"), (one.pk, "21"), (two.pk, "20")]
    )
