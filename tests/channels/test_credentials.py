"""Interface passwords: encrypted at rest, unreadable with a wrong key, rotated all or nothing,
never shown in admin pages, error pages or logs."""

import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from channels.forms import ExternalSalesInterfaceForm
from channels.models import ExternalSalesInterface
from credentials.crypto import CredentialDecryptionError
from tests import factories as f

from .conftest import interface_post

pytestmark = pytest.mark.django_db

PLAIN = "Tkn-Plain-Secret-42"


def _stored_rows():
    table = ExternalSalesInterface._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - our own table name
        return [" ".join(str(v) for v in row) for row in cursor.fetchall()]


def test_no_plaintext_in_the_table():
    f.InterfaceFactory(password=PLAIN)
    rows = _stored_rows()
    assert rows and all(PLAIN not in row for row in rows)


def test_a_wrong_key_is_an_error_never_the_ciphertext(settings):
    interface = f.InterfaceFactory(password=PLAIN)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    interface.refresh_from_db()
    with pytest.raises(CredentialDecryptionError) as caught:
        interface.get_password()
    assert interface.password_encrypted not in str(caught.value)
    assert PLAIN not in str(caught.value)


def test_rotation_moves_every_password_to_the_new_key(settings, capsys):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    first = f.InterfaceFactory(password="first-pass")
    second = f.InterfaceFactory(password="second-pass")
    f.InterfaceFactory()
    nopass = f.InterfaceFactory()
    ExternalSalesInterface.objects.filter(pk=nopass.pk).update(password_encrypted="")

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("rotate_encryption_keys")
    assert "Re-encrypted 3 password(s)" in capsys.readouterr().out

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be removed
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.get_password() == "first-pass"
    assert second.get_password() == "second-pass"


def test_rotation_fails_clearly_and_changes_nothing(settings):
    old, new = settings.FIELD_ENCRYPTION_KEYS[0], Fernet.generate_key().decode()
    good = f.InterfaceFactory(password="good-pass")
    lost = f.InterfaceFactory(internal_name="Lost * Ticketnet")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    lost.set_password("written-with-a-lost-key")
    lost.save()
    before = dict(ExternalSalesInterface.objects.values_list("pk", "password_encrypted"))

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    with pytest.raises(CommandError) as caught:
        call_command("rotate_encryption_keys")
    assert "Lost * Ticketnet" in str(caught.value)
    assert "nothing was re-encrypted" in str(caught.value)
    assert dict(ExternalSalesInterface.objects.values_list("pk", "password_encrypted")) == before
    good.refresh_from_db()
    assert good.get_password() == "good-pass"


def test_password_never_in_admin_history(admin_en, setup):
    admin_en.post(reverse("admin:channels_externalsalesinterface_add"), interface_post(setup))
    interface = ExternalSalesInterface.objects.get()
    url = reverse("admin:channels_externalsalesinterface_history", args=[interface.pk])
    page = admin_en.get(url).content.decode()
    assert PLAIN not in page and interface.password_encrypted not in page


def test_error_page_and_logs_hide_the_password(superuser, setup, settings, monkeypatch, caplog):
    """A crash while saving the interface form: the DEBUG page and the log keep it secret."""
    settings.DEBUG = True
    # Built, not written whole: the debug page shows this test's source lines around the call.
    stored_secret = "-".join(["Stored", "Secret", "7"])
    stored = f.InterfaceFactory(institution=setup["institution"], password=stored_secret)

    def explode(self, commit=True):
        password = self.cleaned_data["password"]  # a local the debug page would show
        assert password
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ExternalSalesInterfaceForm, "save", explode)
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(superuser)
    url = reverse("admin:channels_externalsalesinterface_change", args=[stored.pk])
    with caplog.at_level(logging.DEBUG):
        response = client.post(url, interface_post(setup, password=PLAIN))
    assert response.status_code == 500
    page = response.content.decode()
    assert "the database went away" in page  # it is the technical page
    assert "cleaned_data" in page or "password" in page
    for secret in [PLAIN, stored_secret, stored.password_encrypted]:
        assert secret not in page
        assert secret not in caplog.text
    assert "********" in page


def test_error_report_filter_hides_password_like_settings(settings):
    from django.views.debug import get_default_exception_reporter_filter

    settings.FIELD_ENCRYPTION_KEYS = ["a-key-that-must-not-show"]
    safe = get_default_exception_reporter_filter().get_safe_settings()
    assert "a-key-that-must-not-show" not in str(safe["FIELD_ENCRYPTION_KEYS"])
