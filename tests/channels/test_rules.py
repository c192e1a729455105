"""The tenancy rule: what an object links to belongs to its institution, checked by one helper
whatever the path from the object to its institution."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from catalog.models import Event, Performance, Zone
from channels.models import ExternalQuota, PointOfSale
from channels.rules import (
    FieldErrors,
    institution_id_of,
    of_institution,
    require_same_institution,
    same_institution,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_institution_is_found_along_each_kind_of_path():
    institution = f.InstitutionFactory()
    zone = f.ZoneFactory(configuration__hall__institution=institution)
    performance = f.PerformanceFactory(event__institution=institution)
    assert institution_id_of(institution) == institution.pk
    assert institution_id_of(f.SalesChannelFactory(institution=institution)) == institution.pk
    assert institution_id_of(performance) == institution.pk
    assert institution_id_of(zone) == institution.pk


def test_loaded_relations_cost_no_query(django_assert_num_queries):
    zone = f.ZoneFactory()
    loaded = Zone.objects.select_related("configuration__hall").get(pk=zone.pk)
    with django_assert_num_queries(0):
        assert institution_id_of(loaded) == zone.configuration.hall.institution_id


def test_same_institution_across_apps_and_what_is_not_chosen_yet():
    mine, theirs = f.InstitutionFactory(), f.InstitutionFactory()
    quota = f.ExternalQuotaFactory(institution=mine)
    my_zone = f.ZoneFactory(configuration__hall__institution=mine)
    their_zone = f.ZoneFactory(configuration__hall__institution=theirs)
    assert same_institution(quota, my_zone, f.PerformanceFactory(event__institution=mine))
    assert not same_institution(quota, my_zone, their_zone)
    assert same_institution(quota, None)  # not chosen yet: its required check speaks
    assert same_institution(None, their_zone)
    assert same_institution(PointOfSale(), their_zone)  # the owner's institution not chosen


def test_of_institution_follows_the_models_path():
    mine, theirs = f.InstitutionFactory(), f.InstitutionFactory()
    ours = f.PerformanceFactory(event__institution=mine)
    f.PerformanceFactory(event__institution=theirs)
    assert list(of_institution(Performance.objects.all(), mine.pk)) == [ours]
    assert list(of_institution(Event.objects.all(), mine.pk)) == [ours.event]


def test_field_errors_are_raised_together_in_the_order_added():
    mine, theirs = f.InstitutionFactory(), f.InstitutionFactory()
    errors = FieldErrors()
    errors.add("rows", "first")
    errors.require_same_institution(
        "category", f.ZoneFactory(configuration__hall__institution=mine),
        f.SeatCategoryFactory(institution=theirs), message="elsewhere",
    )
    errors.add("rows", "second")
    assert errors
    with pytest.raises(ValidationError) as exc:
        errors.raise_if_any()
    assert exc.value.message_dict == {"rows": ["first", "second"], "category": ["elsewhere"]}
    FieldErrors().raise_if_any()  # nothing gathered, nothing raised


def test_require_same_institution_raises_the_callers_message_at_its_field():
    quota = f.ExternalQuotaFactory()
    with pytest.raises(ValidationError) as exc:
        require_same_institution("zones", quota, f.ZoneFactory(), message="A zone elsewhere.")
    assert exc.value.message_dict == {"zones": ["A zone elsewhere."]}
    require_same_institution("zones", quota, message="never raised")


@pytest.mark.parametrize("model", [PointOfSale, ExternalQuota])
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "The sales channel belongs to another institution."),
        ("fr", "La filière de vente appartient à un autre organisme."),
    ],
)
def test_a_channel_of_another_institution_is_refused(model, language, expected):
    mine = f.InstitutionFactory()
    obj = model(institution=mine, channel=f.SalesChannelFactory())
    with translation.override(language):
        with pytest.raises(ValidationError) as exc:
            obj.clean()
        assert exc.value.message_dict == {"channel": [expected]}
    obj.channel = f.SalesChannelFactory(institution=mine)
    obj.clean()
