"""The interface passwords an error report or a log line must never show: each one this
process encrypted or decrypted, and each one stored (read again at most once a minute)."""

import logging
import threading
import time

logger = logging.getLogger(__name__)

# Shorter secrets are masked by name only: masking every "abc" would make reports unreadable.
MIN_SECRET_LENGTH = 4
STORED_TTL = 60.0
# After a failed read (database down, broken transaction): retried soon, not at every report.
RETRY_AFTER_FAILURE = 5.0

# Never shrinks: a password changed since is still one that must not show.
_known: set[str] = set()
_stored_read_until = 0.0
_lock = threading.Lock()
_reading = threading.local()


def remember(secret: str) -> None:
    """Called on every encryption and decryption: a password this process held in clear."""
    if len(secret) >= MIN_SECRET_LENGTH:
        with _lock:
            _known.add(secret)


def known_secrets(*, read_stored: bool = True) -> frozenset[str]:
    """Every password to mask. `read_stored=False` (the log filter) never queries: a process
    only logs passwords it handled, and a query per log line would change query counts."""
    if read_stored:
        _read_stored_when_due()
    with _lock:
        return frozenset(_known)


def forget() -> None:
    """Forget every password learnt (tests)."""
    global _stored_read_until
    with _lock:
        _known.clear()
        _stored_read_until = 0.0


def _read_stored_when_due() -> None:
    global _stored_read_until
    now = time.monotonic()
    if now < _stored_read_until or getattr(_reading, "active", False):
        return
    _reading.active = True  # the query may log, and the log filter asks again
    try:
        done = _read_stored()
    finally:
        _reading.active = False
    _stored_read_until = now + (STORED_TTL if done else RETRY_AFTER_FAILURE)


def _read_stored() -> bool:
    # Imported here: credentials lies below channels and never imports it.
    from django.apps import apps
    from django.db import connections

    from .crypto import decrypt

    if not apps.ready:
        return False
    try:
        model = apps.get_model("channels", "ExternalSalesInterface")
        if connections[model.objects.db].needs_rollback:
            return False
        ciphertexts = list(model.objects.exclude(password_encrypted="")
                           .values_list("password_encrypted", flat=True))
    except Exception:  # noqa: BLE001 - a report is being written: it must not fail
        logger.debug("The stored passwords could not be read for masking", exc_info=True)
        return False
    for ciphertext in ciphertexts:
        try:
            decrypt(ciphertext)  # remembers it
        except Exception:  # noqa: BLE001, S112 - written with a lost key: nothing to mask
            continue
    return True
