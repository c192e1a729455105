"""What a catalogue export locks, and the one way to change it: the export job records the codes
it sent; the operator records Ticketnet's confirmation of a change, which applies and logs it."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import audit_record
from channels.models import ExternalSalesInterface

from .known import LOCKED_REASON, KnownCode, KnownCodeChange
from .models import TARGET_FIELDS, Correspondence, Kind
from .signals import code_change_recorded

__all__ = ["LOCKED_REASON", "correspondence_is_locked", "known_code_change",
           "known_codes_record", "known_manifestation_codes"]


def known_codes_record(*, interface: ExternalSalesInterface,
                       targets: Iterable[tuple[str, int]], at: datetime,
                       manifestation_code: str, run_id: int | None) -> None:
    """Lock the codes of `targets` ((kind, object id) a catalogue export has just sent), in two
    queries; a code already known (sent by an earlier export) keeps its first record."""
    ids: dict[str, set[int]] = defaultdict(set)
    for kind, object_id in targets:
        ids[kind].add(object_id)
    if not ids:
        return
    condition = Q()
    for kind, pks in ids.items():
        condition |= Q(kind=kind, **{f"{TARGET_FIELDS[kind]}_id__in": pks})
    KnownCode.objects.bulk_create(
        [KnownCode(interface=interface, correspondence_id=pk, code=code, since=at,
                   manifestation_code=manifestation_code, run_id=run_id)
         for pk, code in Correspondence.objects.filter(condition, interface=interface)
         .values_list("pk", "code")],
        ignore_conflicts=True,
    )


def known_manifestation_codes(*, interface: ExternalSalesInterface) -> dict[tuple[str, int], str]:
    """(kind, object id) → the manifestation code (event) or double code (competition
    performance) Ticketnet knows now, changes it confirmed included; one query."""
    out = {}
    for kind, code, event_id, performance_id in KnownCode.objects.filter(
        interface=interface, correspondence__kind__in=(Kind.EVENT, Kind.PERFORMANCE),
    ).values_list("correspondence__kind", "code", "correspondence__event_id",
                  "correspondence__performance_id"):
        out[(kind, event_id if kind == Kind.EVENT else performance_id)] = code
    return out


def correspondence_is_locked(*, correspondence: Correspondence) -> bool:
    return KnownCode.objects.filter(correspondence_id=correspondence.pk).exists()


def known_code_change(*, known_code: KnownCode, new_code: str, ticketnet_reference: str,
                      user) -> KnownCodeChange:
    """Apply a change of a code Ticketnet knows, that Ticketnet confirmed: the correspondence
    takes `new_code`, the change is logged (who, when, Ticketnet's reference, old and new
    code), and the old code stays reserved and still finds the object for Ticketnet's sales.

    Every rule of a correspondence code applies to the new one; ValidationError by field
    (`new_code`, `ticketnet_reference`) otherwise."""
    new_code = (new_code or "").strip()
    ticketnet_reference = (ticketnet_reference or "").strip()
    with transaction.atomic():
        known = KnownCode.objects.select_for_update().select_related(
            "correspondence__interface").get(pk=known_code.pk)
        correspondence = known.correspondence
        errors: dict[str, list] = {}
        if not ticketnet_reference:
            errors["ticketnet_reference"] = [_(
                "Enter Ticketnet's reference of their confirmation: the change is recorded "
                "only once Ticketnet has made it on their side.")]
        if new_code == known.code:
            errors["new_code"] = [_("%(code)s is already the code Ticketnet knows: enter the "
                                    "new code Ticketnet confirmed.") % {"code": new_code}]
        else:
            correspondence.code = new_code
            rules = correspondence.rule_errors().by_field
            errors["new_code"] = [str(m) for messages in rules.values() for m in messages]
        errors = {field: messages for field, messages in errors.items() if messages}
        if errors:
            raise ValidationError(errors)
        correspondence.save()
        change = KnownCodeChange.objects.create(
            interface_id=known.interface_id, known_code=known, old_code=known.code,
            new_code=new_code, source=KnownCodeChange.Source.CONFIRMED,
            ticketnet_reference=ticketnet_reference,
            recorded_by=user if getattr(user, "pk", None) else None,
            recorded_by_name=getattr(user, "get_username", lambda: "")(),
            recorded_at=timezone.now(),
        )
        known.code = new_code
        known.save(update_fields=["code"])
        audit_record(
            institution_id=correspondence.interface.institution_id, actor=user,
            action=AuditEntry.Action.CODE_UNLOCK,
            target=f"{correspondence.get_kind_display()} “{correspondence.target}” "
                   f"({change.old_code} → {new_code})",
            params={"interface_id": known.interface_id, "kind": correspondence.kind,
                    "object_id": correspondence.target_id, "old_code": change.old_code,
                    "new_code": new_code, "ticketnet_confirmation": ticketnet_reference,
                    "change_id": change.pk},
        )
        # For other listeners (the audit entry above is written in this transaction).
        transaction.on_commit(lambda: code_change_recorded.send(sender=KnownCodeChange,
                                                                change=change))
    return change
