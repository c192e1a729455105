"""Finding an interface by its internal name from a command line."""

from django.core.management.base import CommandError

from channels.models import ExternalSalesInterface


def find_interface(name: str, institution_code: str | None) -> ExternalSalesInterface:
    qs = ExternalSalesInterface.objects.filter(internal_name=name).select_related("institution")
    if institution_code:
        qs = qs.filter(institution__code=institution_code)
    found = list(qs[:2])
    if not found:
        raise CommandError(f"No interface named “{name}”"
                           + (f" in institution {institution_code}" if institution_code else "")
                           + ": give its internal name, as in the admin.")
    if len(found) > 1:
        raise CommandError(f"Several institutions have an interface named “{name}”: add "
                           "--institution CODE.")
    return found[0]
