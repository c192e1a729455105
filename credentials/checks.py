"""The system check of FIELD_ENCRYPTION_KEYS: run by migrate, runserver, the web (wsgi), the
worker and beat at start, so a missing or malformed key stops them with its name."""

from cryptography.fernet import Fernet
from django.conf import settings
from django.core.checks import Error, Tags, register

_GENERATE = ('python -c "from cryptography.fernet import Fernet; '
             'print(Fernet.generate_key().decode())"')


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@register(Tags.security)
def check_field_encryption_keys(app_configs=None, **kwargs):
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or [])
    if not keys:
        if settings.DEBUG:
            return []  # the settings make a development key under VAR_DIR
        return [Error(
            "FIELD_ENCRYPTION_KEYS is not set: the interface passwords can be neither stored "
            "nor read.",
            hint=f"Set one or more Fernet keys, comma-separated, newest first. Make one with: "
                 f"{_GENERATE}",
            id="credentials.E001",
        )]
    errors = []
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(str(key).strip().encode())
        except (ValueError, TypeError):
            # Never the value itself: a near-miss of a real key is still a secret.
            errors.append(Error(
                f"The {_ordinal(position)} key of FIELD_ENCRYPTION_KEYS is not a Fernet key "
                f"(32 url-safe base64-encoded bytes).",
                hint=f"Replace it with a key made by: {_GENERATE}",
                id="credentials.E002",
            ))
    return errors
