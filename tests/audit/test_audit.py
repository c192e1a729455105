"""The audit log: who did what to what, per institution; kept when what it names is deleted;
read-only in the admin for everyone, and each operator sees only their institutions'."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from audit.services import audit_record
from demo.management.commands.load_demo import operators_group
from tests import factories as f

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


@pytest.fixture
def opera():
    return f.InstitutionFactory(code="opera", name="Opéra")


@pytest.fixture
def theatre():
    return f.InstitutionFactory(code="theatre", name="Théâtre")


@pytest.fixture
def operator(opera):
    user = f.UserFactory(username="operator", institutions=[opera])
    user.groups.add(operators_group())
    return user


def _client(user, language="en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_an_action_is_recorded_with_who_what_and_details(opera, operator):
    entry = audit_record(institution_id=opera.pk, actor=operator, action=Action.CODE_UNLOCK,
                         target="Zone “Bloc A1” (101)",
                         params={"code": "101", "ticketnet_confirmation": "TKT-4471"})
    entry.refresh_from_db()
    assert (entry.institution_id, entry.actor_id, entry.actor_username) == (
        opera.pk, operator.pk, "operator")
    assert entry.action == "code_unlock" and entry.params["ticketnet_confirmation"] == "TKT-4471"
    assert str(entry) == "Code unlocked, confirmed by Ticketnet: Zone “Bloc A1” (101)"


def test_the_system_is_an_actor_too(opera):
    entry = audit_record(institution_id=opera.pk, actor=None, action="retry", target="Run 7",
                         params={"lines": [1, 2]})
    assert entry.actor_id is None and entry.actor_username == ""


@pytest.mark.parametrize("params", [
    {"password": "x"}, {"changes": [{"field": "login"}, {"new_secret": "x"}]}, {"api_token": 1},
])
def test_a_credential_is_never_recorded(opera, operator, params):
    with pytest.raises(ValueError, match="never holds a credential"):
        audit_record(institution_id=opera.pk, actor=operator, action=Action.CREDENTIAL_CHANGE,
                     target="Interface “FR * Ticketnet”", params=params)
    assert not AuditEntry.objects.exists()


def test_an_unknown_action_is_refused(opera, operator):
    with pytest.raises(ValueError):
        audit_record(institution_id=opera.pk, actor=operator, action="drop_tables", target="x")


def test_a_long_target_is_cut_not_refused(opera, operator):
    entry = audit_record(institution_id=opera.pk, actor=operator, action=Action.EXPORT,
                         target="x" * 600)
    assert len(entry.target) == 500 and entry.target.endswith("…")


def test_an_entry_is_never_changed_or_deleted(opera, operator):
    entry = audit_record(institution_id=opera.pk, actor=operator, action=Action.EXPORT,
                         target="Correspondences")
    entry.target = "something else"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()
    assert AuditEntry.objects.get().target == "Correspondences"


def test_entries_outlive_the_institution_the_user_and_the_interface(opera, theatre, operator):
    interface = f.InterfaceFactory(institution=opera)
    audit_record(institution_id=opera.pk, actor=operator, action=Action.CREDENTIAL_CHANGE,
                 target=f"Interface “{interface.internal_name}” ({interface.pk})")
    audit_record(institution_id=theatre.pk, actor=operator, action=Action.EXPORT,
                 target="Correspondences")
    theatre_id = theatre.pk
    interface.delete()
    operator.delete()
    theatre.delete()
    assert AuditEntry.objects.count() == 2
    assert set(AuditEntry.objects.values_list("actor_username", flat=True)) == {"operator"}
    root = f.UserFactory(username="root", is_superuser=True)
    page = _client(root).get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert f"#{theatre_id} (deleted)" in page and "Opéra" in page and "operator" in page


def test_operators_see_their_institutions_entries_only(opera, theatre, operator,
                                                       django_assert_max_num_queries):
    for n in range(5):
        audit_record(institution_id=opera.pk, actor=operator, action=Action.EXPORT,
                     target=f"Opera export {n}")
    other = audit_record(institution_id=theatre.pk, actor=None, action=Action.EXPORT,
                         target="Theatre export")
    client = _client(operator)
    with django_assert_max_num_queries(9):  # session, user, 2 permissions, 2 counts, rows, dates
        page = client.get(reverse("admin:audit_auditentry_changelist")).content.decode()
    assert page.count("Opera export") == 5 and "Theatre export" not in page and "Opéra" in page
    response = client.get(reverse("admin:audit_auditentry_change", args=[other.pk]))
    assert response.status_code == 302  # not found, as for any other institution's object
    own = AuditEntry.objects.filter(institution_id=opera.pk).first()
    assert client.get(reverse("admin:audit_auditentry_change", args=[own.pk])).status_code == 200


def test_nobody_adds_changes_or_deletes_an_entry(opera, operator):
    entry = audit_record(institution_id=opera.pk, actor=operator, action=Action.SCHEDULE_EDIT,
                         target="Schedule ticketnet:1:sales_integration", params={"every": 5})
    root = _client(f.UserFactory(username="root", is_superuser=True))
    change = reverse("admin:audit_auditentry_change", args=[entry.pk])
    assert root.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert root.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]),
                     {"post": "yes"}).status_code == 403
    page = root.get(change).content.decode()
    assert "&quot;every&quot;: 5" in page or '"every": 5' in page
    assert 'name="_save"' not in page
    assert root.post(change, {"target": "rewritten"}).status_code == 403
    assert AuditEntry.objects.get().target == entry.target


def test_operators_may_read_the_log():
    assert "audit.view_auditentry" in {
        f"{p.content_type.app_label}.{p.codename}" for p in operators_group().permissions.all()}


def test_the_log_speaks_french():
    with translation.override("fr"):
        labels = [str(label) for _value, label in Action.choices]
        labels += [str(AuditEntry._meta.verbose_name_plural)]
    with translation.override("en"):
        english = [str(label) for _value, label in Action.choices]
        english += [str(AuditEntry._meta.verbose_name_plural)]
    assert not set(labels) & set(english), set(labels) & set(english)
