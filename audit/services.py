"""Recording into the audit log; every app calls `audit_record` inside the transaction of the
action it records, so that an action rolled back leaves no entry."""

import re
from typing import Any

from .models import AuditEntry

# What a credential's value would be recorded under: refused, the log says "changed" only.
_SECRET_KEY = re.compile(r"pass|secret|token|key|credential|cipher", re.IGNORECASE)
_ELLIPSIS = "…"


def audit_record(
    *, institution_id: int, actor, action: AuditEntry.Action | str, target: str,
    params: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record that `actor` (a user, or None for the system) did `action` to `target` (a short
    description, copied: it outlives the object) in the institution `institution_id`.

    `params` are the action's details (codes before and after, Ticketnet's confirmation, the
    lines retried…), never a credential: a key that looks like one is refused."""
    action = AuditEntry.Action(action)
    params = dict(params or {})
    secret_keys = sorted(key for key in _keys(params) if _SECRET_KEY.search(key))
    if secret_keys:
        raise ValueError(f"An audit entry never holds a credential: {', '.join(secret_keys)}.")
    size = AuditEntry._meta.get_field("target").max_length
    if len(target) > size:
        target = target[: size - 1] + _ELLIPSIS
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        institution_id=institution_id,
        actor_id=actor.pk if authenticated else None,
        actor_username=actor.get_username() if authenticated else "",
        action=action, target=target, params=params,
    )


def _keys(value) -> list[str]:
    if isinstance(value, dict):
        return [str(k) for k in value] + [k for v in value.values() for k in _keys(v)]
    if isinstance(value, list | tuple):
        return [k for v in value for k in _keys(v)]
    return []
