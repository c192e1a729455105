import pytest
from rest_framework.test import APIClient

from catalog.models import Event, Tariff
from mappings.models import Correspondence, Kind
from tests import factories as f
from tests.mappings.factories import CorrespondenceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def interface():
    return f.InterfaceFactory()


@pytest.fixture
def api(interface):
    client = APIClient()
    client.force_authenticate(f.staff_user(interface.institution))
    return client


def test_create_read_update_delete(api, interface):
    tariff = f.TariffFactory(institution=interface.institution)
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "tariff", "object_id": tariff.pk, "code": "15|20|22",
    }, format="json")
    assert response.status_code == 201, response.data
    data = response.data
    assert data["codes"] == ["15", "20", "22"] and data["object_id"] == tariff.pk
    assert "password" not in str(data).lower()
    pk = data["id"]
    response = api.patch(f"/api/correspondences/{pk}/", {"code": "15|21"}, format="json")
    assert response.status_code == 200 and response.data["codes"] == ["15", "21"]
    assert api.get(f"/api/correspondences/{pk}/").data["code"] == "15|21"
    assert api.delete(f"/api/correspondences/{pk}/").status_code == 204
    assert not Correspondence.objects.exists()


def test_rules_give_field_messages(api, interface):
    event = f.EventFactory(institution=interface.institution, kind=Event.Kind.COMPETITION)
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "event", "object_id": event.pk, "code": "0101",
    }, format="json")
    assert response.status_code == 400
    assert "enter 101" in " ".join(response.data["code"])
    assert "competition" in " ".join(response.data["object_id"])
    member = f.TariffFactory(institution=interface.institution,
                             audience_type=Tariff.AudienceType.MEMBER)
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "tariff", "object_id": member.pk, "code": "3",
    }, format="json")
    assert response.status_code == 400 and "Member" in " ".join(response.data["object_id"])


def test_another_institution_is_unreachable(api, interface):
    foreign = CorrespondenceFactory()
    assert api.get(f"/api/correspondences/{foreign.pk}/").status_code == 404
    assert api.patch(f"/api/correspondences/{foreign.pk}/", {"code": "9"},
                     format="json").status_code == 404
    assert api.delete(f"/api/correspondences/{foreign.pk}/").status_code == 404
    # Neither its interface nor its objects can be used.
    response = api.post("/api/correspondences/", {
        "interface": foreign.interface.pk, "kind": "tariff", "object_id": foreign.tariff.pk,
        "code": "77",
    }, format="json")
    assert response.status_code == 400 and "interface" in response.data
    response = api.post("/api/correspondences/", {
        "interface": interface.pk, "kind": "tariff", "object_id": foreign.tariff.pk,
        "code": "77",
    }, format="json")
    assert response.status_code == 400 and "object_id" in response.data
    assert foreign.pk not in [row["id"] for row in api.get("/api/correspondences/").data["results"]]


def test_list_filtered_and_bounded(api, interface, django_assert_max_num_queries):
    other = f.InterfaceFactory(institution=interface.institution)
    CorrespondenceFactory(interface=other)
    for _ in range(3):
        CorrespondenceFactory(interface=interface)
    zone = f.ZoneFactory(configuration__hall__institution=interface.institution)
    CorrespondenceFactory(interface=interface, kind=Kind.ZONE, tariff=None, zone=zone, code="101")
    with django_assert_max_num_queries(8) as small:
        response = api.get(f"/api/correspondences/?interface={interface.pk}")
    assert response.data["count"] == 4
    baseline = len(small.captured_queries)  # before other requests reset the query log
    assert api.get(f"/api/correspondences/?interface={interface.pk}&kind=zone").data["count"] == 1
    assert api.get("/api/correspondences/?kind=nope").status_code == 400
    for _ in range(30):
        CorrespondenceFactory(interface=interface)
    with django_assert_max_num_queries(baseline):
        assert api.get(f"/api/correspondences/?interface={interface.pk}").data["count"] == 34


def test_anonymous_is_refused():
    assert APIClient().get("/api/correspondences/").status_code in (401, 403)


def test_schema_describes_the_api_without_passwords(api):
    response = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/correspondences/" in text and "Correspondence" in text
    assert "password" not in text.lower()
