"""The guide's demo set-up pointed at a test simulator, for the export job tests."""

from dataclasses import dataclass

from catalog import demo as catalog_demo
from catalog.models import Event
from channels import demo as channels_demo
from channels.models import ExternalSalesInterface
from mappings import demo as mappings_demo
from schedules.framework.runner import job_run
from schedules.models import Job, Run


@dataclass
class Demo:
    interface: ExternalSalesInterface
    concert: Event
    league: Event


def demo_on(simulator) -> Demo:
    channels = channels_demo.load()
    catalog = catalog_demo.load(institution=channels.institution, channel=channels.channel,
                                quota=channels.quota)
    mappings_demo.load(interface=channels.interface)
    interface = channels.interface
    interface.url = simulator.url
    interface.save(update_fields=["url"])
    # The tests read the runs' messages in English (the demo institution speaks French).
    channels.institution.language = "en"
    channels.institution.save(update_fields=["language"])
    return Demo(interface=interface, concert=catalog.concert, league=catalog.league)


def run(interface, job: str, **params) -> Run:
    return job_run(interface_id=interface.pk, job=job, params=params)


def export(interface, event, *, dry_run=False) -> Run:
    params = {"event_id": event.pk}
    if dry_run:
        params["dry_run"] = True
    return run(interface, Job.CATALOG_EXPORT, **params)


def texts(run: Run, level: str | None = None) -> str:
    return "\n".join(m["text"] for m in run.messages if level is None or m["level"] == level)


def interface_on(simulator, **kw) -> ExternalSalesInterface:
    from tests import factories as f

    kw.setdefault("institution__language", "en")
    return f.InterfaceFactory(url=simulator.url, login=simulator.login,
                              institution_code=simulator.institution_code,
                              password=simulator.password, **kw)


def small_event(interface, **kw) -> Event:
    """An event of `interface` built by the mapping factories, every code filled in."""
    from mappings.services import correspondences_fill_suggestions
    from tests.mappings.factories import build_event

    event = build_event(interface=interface, **kw)
    result = correspondences_fill_suggestions(interface=interface)
    assert result.ok, result.errors
    return event


def manifestations(simulator) -> dict[str, dict]:
    return {m["code"]: m for m in simulator.state.show()["manifestations"]}
