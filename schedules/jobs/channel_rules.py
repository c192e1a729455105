"""Which Ticketnet jobs an interface's channel takes (the guide: visit passes without catalogue or
quota sync, undated passes by flat files only), and the refusal the jobs and the admin give."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels.models import ExternalSalesInterface, SalesChannel

from ..framework.errors import JobError
from ..framework.models import Job

# The jobs only an automatic Ticketnet channel takes, each by the name its refusal gives it.
AUTOMATIC_ONLY = {
    Job.CATALOG_EXPORT: gettext_lazy("The catalogue export"),
    Job.ALLOTMENT_EXPORT: gettext_lazy("The allotment export"),
    Job.QUOTA_SYNC: gettext_lazy("The quota sync"),
}


def takes_catalogue(*, interface: ExternalSalesInterface) -> bool:
    """Whether the interface's channel is a Ticketnet automatic one, the only kind whose
    catalogue, allotments and quotas Ticketnet is sent."""
    return interface.channel.kind == SalesChannel.Kind.TICKETNET_AUTOMATIC


def takes_web_services(*, interface: ExternalSalesInterface) -> bool:
    """Whether Ticketnet sends the channel's sales through its web services (the sales
    integration, the interface test), not in flat files."""
    return interface.channel.kind != SalesChannel.Kind.FLAT_FILE


def channel_refusal(*, interface: ExternalSalesInterface, job: str) -> tuple[str, str] | None:
    """(text, action) when the interface's channel does not take `job` (the guide: visit passes
    are sold without catalogue or quota sync; undated passes come from Ticketnet's flat files);
    None when it does."""
    what = AUTOMATIC_ONLY.get(job)
    if what is None or takes_catalogue(interface=interface):
        return None
    kind = interface.channel.kind
    if kind == SalesChannel.Kind.TICKETNET_VISIT_PASS:
        return (
            _("%(what)s is refused on “%(interface)s”: its channel sells visit passes, which "
              "Ticketnet sells without any catalogue or quota synchronisation.")
            % {"what": what, "interface": interface.internal_name},
            _("Nothing to do for visit passes: only the sales are integrated. Export numbered "
              "events through an interface of a “Ticketnet automatic” channel."),
        )
    if kind == SalesChannel.Kind.FLAT_FILE:
        return (
            _("%(what)s is refused on “%(interface)s”: its channel takes undated passes from "
              "Ticketnet's CSV flat files; there is no catalogue to send.")
            % {"what": what, "interface": interface.internal_name},
            _("Import Ticketnet's flat files instead (import_flat_file)."),
        )
    return None


def channel_check(*, interface: ExternalSalesInterface, job: str) -> None:
    """Raise the refusal as the run's `JobError` when the interface's channel does not take
    `job`."""
    refusal = channel_refusal(interface=interface, job=job)
    if refusal is not None:
        raise JobError(*refusal)
