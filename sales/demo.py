"""Demo passes: a visit-pass channel and interface, and an undated pass product whose sales
Ticketnet sends as flat files (the sample file is `sales/fixtures/flat-file-sample.csv`)."""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from catalog.models import ActivityProfile, Event, Price, SeatCategory, Tariff
from channels.demo import DEMO_LOGIN, DEMO_PASSWORD
from channels.models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)

SAMPLE_FLAT_FILE = Path(__file__).resolve().parent / "fixtures" / "flat-file-sample.csv"
VISIT_PASS_INTERFACE = "FR * Ticketnet pass visite"  # noqa: S105 - a name, not a secret
FLAT_FILE_INTERFACE = "FR * Ticketnet pass non datés"
UNDATED_PASS_CODE = "PASS26"  # noqa: S105 - a product code
VISIT_PASS_CODE = "PASSV26"  # noqa: S105 - a product code


@dataclass
class DemoPasses:
    visit_pass_interface: ExternalSalesInterface
    flat_file_interface: ExternalSalesInterface
    undated_pass: Event


def _interface(*, institution, contact, name, channel, pos_code, **fields):
    pos, _ = PointOfSale.objects.get_or_create(
        institution=institution, code=pos_code,
        defaults={"name": channel.name, "channel": channel,
                  "payment_mode": PointOfSale.PaymentMode.PENDING_ACCOUNT},
    )
    quota, _ = ExternalQuota.objects.get_or_create(
        institution=institution, name=channel.name, defaults={"channel": channel}
    )
    interface = ExternalSalesInterface.objects.filter(
        institution=institution, internal_name=name
    ).first()
    if interface is None:
        interface = ExternalSalesInterface(
            institution=institution, internal_name=name, channel=channel,
            url=settings.SIMULATOR_BIND, login=DEMO_LOGIN, contact=contact,
            pending_account=True, point_of_sale=pos, external_quota=quota,
            price_policy=ExternalSalesInterface.PricePolicy.ERROR,
            followup_emails="ticketnet-followup@example.org", client_name="ELCA",
            institution_code="505", **fields,
        )
        interface.set_password(DEMO_PASSWORD)
        interface.full_clean()
        interface.save()
    return interface


def load(*, institution: Institution, contact: Contact) -> DemoPasses:
    visit_channel, _ = SalesChannel.objects.get_or_create(
        institution=institution, name="Ticketnet pass visite",
        defaults={"kind": SalesChannel.Kind.TICKETNET_VISIT_PASS},
    )
    flat_channel, _ = SalesChannel.objects.get_or_create(
        institution=institution, name="Ticketnet fichiers plats",
        defaults={"kind": SalesChannel.Kind.FLAT_FILE},
    )
    visit_interface = _interface(
        institution=institution, contact=contact, name=VISIT_PASS_INTERFACE,
        channel=visit_channel, pos_code="TKNV",
    )
    folder = Path(settings.VAR_DIR) / "flat-files" / "in"
    folder.mkdir(parents=True, exist_ok=True)
    flat_interface = _interface(
        institution=institution, contact=contact, name=FLAT_FILE_INTERFACE,
        channel=flat_channel, pos_code="TKNF",
        flat_files_undated_passes=True, flat_file_folder=str(folder),
    )
    category, _ = SeatCategory.objects.get_or_create(
        institution=institution, name="Pass", defaults={"rank": 9}
    )
    undated_pass, _ = Event.objects.get_or_create(
        institution=institution, code=UNDATED_PASS_CODE,
        defaults={"name": "Pass annuel 2026", "kind": Event.Kind.UNDATED_PASS, "season": 2026},
    )
    visit_pass, _ = Event.objects.get_or_create(
        institution=institution, code=VISIT_PASS_CODE,
        defaults={"name": "Pass visite 2026", "kind": Event.Kind.VISIT_PASS, "season": 2026},
    )
    for product, amounts in ((undated_pass, (4500, 3000)), (visit_pass, (1800, 1200))):
        for tariff_code, amount in zip(("PLEIN", "REDUIT"), amounts, strict=True):
            tariff = Tariff.objects.get(institution=institution, code=tariff_code)
            Price.objects.get_or_create(
                event=product, performance=None, category=category, tariff=tariff,
                defaults={"amount_cents": amount},
            )
    # The guide's prerequisite: each channel sells its products through an activity profile.
    for channel, product in ((visit_channel, visit_pass), (flat_channel, undated_pass)):
        profile, _ = ActivityProfile.objects.get_or_create(
            institution=institution, name=channel.name, defaults={"channel": channel}
        )
        profile.events.add(product)
    return DemoPasses(
        visit_pass_interface=visit_interface,
        flat_file_interface=flat_interface,
        undated_pass=undated_pass,
    )
