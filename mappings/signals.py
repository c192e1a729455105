"""Signals other rooms may listen to: the hook an audit trail connects to, without `mappings`
knowing it (an app above may import mappings, never the other way)."""

from django.dispatch import Signal

# Sent once the transaction that applied a change of a code Ticketnet knows is committed,
# with `change` (a KnownCodeChange: who, when, Ticketnet's reference, old and new code).
code_change_recorded = Signal()
