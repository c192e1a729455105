"""Masking by value and by name: every written form of a known password, every value of a
secret-looking name at any depth, in reports, in POST and GET data, and in log records."""

import html
import json
import logging
import sys
from pprint import pformat
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.views.debug import get_exception_reporter_class
from hypothesis import given
from hypothesis import strategies as st

from credentials import registry
from credentials.masking import SUBSTITUTE, Masker
from credentials.reporting import SecretMaskingFilter, cleansed, mask_secrets
from tests import factories as f

HEAD = "Zq9X"


class Thing:
    def __init__(self, **values):
        self.values = values

    def __repr__(self):
        return "Thing(" + ", ".join(f"{k}={v!r}" for k, v in self.values.items()) + ")"


def _report(request=None) -> str:
    reporter = get_exception_reporter_class(request)(request, *sys.exc_info())
    return reporter.get_traceback_html() + reporter.get_traceback_text()


@pytest.fixture
def forgetful():
    registry.forget()
    yield
    registry.forget()


@given(tail=st.text(alphabet="<>&'\"\\%+ =;:/\n\té€", min_size=0, max_size=12))
def test_every_written_form_of_a_known_password_is_masked(tail):
    secret = HEAD + tail
    mask = Masker(frozenset({secret}))
    envelope = f"<ns0:AuthHeader><ns0:pass>{xml_escape(secret)}</ns0:pass></ns0:AuthHeader>"
    value = {"kwargs": [Thing(pw=secret)], "body": envelope.encode(), "json": json.dumps(secret),
             "plain": f"…{secret}…", ("k", 1): {secret}}
    shown = pformat(mask.value(value, secret_key=SecretKeyNever))
    assert HEAD not in shown
    # What the page adds around it: HTML escaping of a repr of a text holding the secret.
    shown_in_page = html.escape(repr([envelope, secret]))
    assert HEAD not in mask.forms(shown_in_page)


class SecretKeyNever:
    """No key is secret by name here: only the value rules are under test."""

    @staticmethod
    def search(_key):
        return None


@pytest.mark.parametrize("value, hidden", [
    ({"level": [{"Password": "unknown-1"}]}, "unknown-1"),
    (Thing(api_token="unknown-2", login="kept"), "unknown-2"),
    (b"<ns0:AuthHeader><ns0:password>unknown-3</ns0:password></ns0:AuthHeader>", "unknown-3"),
    ("login=kept&password=unknown-4&cursor=7", "unknown-4"),
    ([("x", {"secret": b"unknown-5"})], "unknown-5"),
    ('{"token": "unknown-6", "login": "kept"}', "unknown-6"),
])
def test_values_of_secret_names_are_masked_at_any_depth(value, hidden):
    shown = pformat(cleansed("frame_variable", value))
    assert hidden not in shown
    assert SUBSTITUTE in shown


def test_what_is_not_secret_stays_readable():
    value = {"login": "SBSLOGIN", "codes": [1, 2, "A-3"], "where": Thing(url="127.0.0.1:7120")}
    shown = pformat(cleansed("frame_variable", value))
    assert all(text in shown for text in ["SBSLOGIN", "'A-3'", "127.0.0.1:7120"])
    assert SUBSTITUTE not in shown


@pytest.mark.django_db
def test_a_stored_password_is_masked_in_a_process_that_never_handled_it(forgetful):
    secret = HEAD + "-stored-only"
    f.InterfaceFactory(password=secret)
    registry.forget()  # as in the web process, when the worker decrypted it
    holder = {"deep": [Thing(header={"pw": secret.encode()})]}
    try:
        raise ValueError(f"Ticketnet refused {secret}")
    except ValueError:
        page = _report()
    assert holder and HEAD not in page
    assert "Ticketnet refused " + SUBSTITUTE in page


def _posted(secret):
    by_name = "-".join(["only", "by", "name"])  # built: the page shows the source around
    return RequestFactory().post(f"/admin/?next=/x/&token={by_name}",
                                 {"note": f"it is {secret}", "password": by_name})


def test_post_get_and_the_url_are_masked(forgetful):
    secret = HEAD + "-typed-in-a-form"
    registry.remember(secret)
    request = _posted(secret)
    try:
        raise RuntimeError("the database went away")
    except RuntimeError:
        page = _report(request)
    assert HEAD not in page and "-".join(["only", "by", "name"]) not in page
    assert "the database went away" in page


def _record(msg, *args, exc_info=None):
    return logging.LogRecord("x", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_log_records_are_masked(forgetful):
    secret = HEAD + "-logged"
    registry.remember(secret)
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        record = _record("calling %s with %r", "ping", {"password": "by-name", "pw": secret},
                         exc_info=sys.exc_info())
    assert SecretMaskingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert HEAD not in text and "by-name" not in text
    assert "calling ping with" in text and "RuntimeError: failed with" in text


def test_every_log_handler_masks():
    handlers = settings.LOGGING["handlers"]
    assert handlers and all("mask_secrets" in h.get("filters", []) for h in handlers.values())
    assert settings.LOGGING["filters"]["mask_secrets"]["()"].endswith("SecretMaskingFilter")


def test_mask_secrets_for_stored_messages(forgetful):
    registry.remember(HEAD + "-in-a-message")
    assert mask_secrets(f"Ticketnet said: bad login {HEAD}-in-a-message") == (
        f"Ticketnet said: bad login {SUBSTITUTE}")


def _login_request():
    request = RequestFactory().post("/login/", {"username": "Qx" + "Someone",
                                                "comment": "Qx" + "Note"})
    request.sensitive_post_parameters = "__ALL__"  # what Django's login view declares
    return request


def test_sensitive_post_parameters_still_hide_every_field():
    request = _login_request()
    try:
        raise RuntimeError("login failed")
    except RuntimeError:
        page = _report(request)
    assert "login failed" in page
    assert "Qx" + "Someone" not in page and "Qx" + "Note" not in page  # built: see _posted
