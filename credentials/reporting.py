"""Error reports (DEBUG pages, admin emails) and log records that never show a credential.

By name: settings, POST fields, frame variables and dictionary keys that look secret. By value:
every interface password this process knows (credentials.registry), wherever it shows — nested
in containers, in an object's repr, in bytes or a SOAP envelope, in the exception's message.
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

from .masking import SUBSTITUTE, masker
from .registry import known_secrets

_SENSITIVE = re.compile(
    r"API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|ENCRYPT|CIPHER|PLAIN",
    flags=re.IGNORECASE,
)


def mask_secrets(text: str) -> str:
    """`text` with every known password and every value of a secret-looking name masked; for
    what is shown or stored outside a report (run messages, emails)."""
    return masker(known_secrets()).text(text)


def mask_secrets_in(value):
    """A copy of a stored JSON value (a run's messages and their parameters) with every
    string masked as `mask_secrets` does; keys are kept (they are codes, not secrets)."""
    mask = masker(known_secrets())

    def walk(item):
        if isinstance(item, str):
            return mask.text(item)
        if isinstance(item, dict):
            return {key: walk(inner) for key, inner in item.items()}
        if isinstance(item, list | tuple):
            return [walk(inner) for inner in item]
        return item

    return walk(value)


def cleansed(name, value):
    """`value` as a report may show it under `name`: whole substitute for a secret-looking
    name, else a copy with secret-looking keys and known passwords masked at any depth."""
    if isinstance(name, str) and _SENSITIVE.search(name):
        return SUBSTITUTE
    return masker(known_secrets()).value(value, secret_key=_SENSITIVE)


class CredentialSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = _SENSITIVE
    cleansed_substitute = SUBSTITUTE

    def is_active(self, request):
        # Cleanse in DEBUG too: the development pages are screenshots and pasted logs.
        return True

    def cleanse_setting(self, key, value):
        # Django's own (by name, the session cookie included), then by value too.
        if super().cleanse_setting(key, value) is self.cleansed_substitute:
            return self.cleansed_substitute
        return cleansed(key, value)

    def get_post_parameters(self, request):
        # Django's (what @sensitive_post_parameters names), then by name and value.
        return cleansed("", super().get_post_parameters(request))

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, value if value is self.cleansed_substitute else cleansed(name, value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]


class _MaskedException:
    """An exception of the chain, shown by its masked message; equal only to itself, as the
    page's `ifchanged` compares them."""

    def __init__(self, text: str):
        self.text = text

    def __str__(self) -> str:
        return self.text


class CredentialSafeExceptionReporter(ExceptionReporter):
    """Masks what the filter cannot reach (the exception's message, its causes, the URL), then
    every written form of a known password in the whole rendered page."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        mask = masker(known_secrets())
        for key in ("exception_value", "exception_notes", "request_insecure_uri",
                    "unicode_hint"):
            if isinstance(data.get(key), str):
                data[key] = mask.text(data[key])
        if "request_GET_items" in data:
            data["request_GET_items"] = list(cleansed("", self.request.GET).items())
        causes = {}
        for frame in data["frames"]:
            cause = frame.get("exc_cause")
            if cause is not None:
                key = id(cause)
                causes.setdefault(key, _MaskedException(mask.text(str(cause))))
                frame["exc_cause"] = causes[key]
        return data

    def get_traceback_html(self):
        return masker(known_secrets()).forms(super().get_traceback_html())

    def get_traceback_text(self):
        return masker(known_secrets()).forms(super().get_traceback_text())


class SecretMaskingFilter(logging.Filter):
    """On a handler: masks known passwords and secret-looking values in the message, the
    formatted exception and the stack of every record it passes."""

    def filter(self, record: logging.LogRecord) -> bool:
        mask = masker(known_secrets(read_stored=False))
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is logging's to report
            return True
        masked = mask.text(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask.text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask.text(record.stack_info)
        return True
