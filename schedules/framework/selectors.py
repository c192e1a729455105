"""Finding the interface a command names (`--interface NAME [--institution CODE]`)."""

from channels.models import ExternalSalesInterface


class InterfaceLookupError(LookupError):
    """The interface named on a command line is missing or ambiguous (message says why)."""


def interface_find(*, name: str, institution_code: str | None = None) -> ExternalSalesInterface:
    qs = ExternalSalesInterface.objects.select_related("institution").filter(internal_name=name)
    if institution_code:
        qs = qs.filter(institution__code=institution_code)
    found = list(qs[:10])
    if not found:
        where = f" in institution {institution_code}" if institution_code else ""
        raise InterfaceLookupError(
            f"No interface named “{name}”{where}: give its internal name, "
            f"e.g. --interface \"FR * Ticketnet\"."
        )
    if len(found) > 1:
        codes = ", ".join(sorted(i.institution.code for i in found))
        raise InterfaceLookupError(
            f"Several institutions have an interface named “{name}” ({codes}): "
            f"add --institution CODE."
        )
    return found[0]
