"""The guide's "Exemple de paramétrage correct", pointed at the local simulator."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser

from .models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)

DEMO_INSTITUTION_CODE = "demo"
DEMO_INTERFACE_NAME = "FR * Ticketnet"
# The simulator accepts these credentials (see ticketnet_simulator).
DEMO_LOGIN = "SBSSOMETHING"
DEMO_PASSWORD = "demo-ticketnet-password"  # noqa: S105 - the local simulator's, not a secret
OPERATOR_USERNAME = "operator"
OPERATOR_PASSWORD = "ticketnet-demo"  # noqa: S105 - printed by `make run` for the local demo


@dataclass
class DemoChannels:
    institution: Institution
    channel: SalesChannel
    point_of_sale: PointOfSale
    quota: ExternalQuota
    contact: Contact
    interface: ExternalSalesInterface
    operator: AbstractBaseUser
    operator_username: str
    operator_password: str


def load() -> DemoChannels:
    institution, _ = Institution.objects.get_or_create(
        code=DEMO_INSTITUTION_CODE, defaults={"name": "Demo Institution", "language": "fr"}
    )
    channel, _ = SalesChannel.objects.get_or_create(
        institution=institution,
        name="Ticketnet",
        defaults={
            "kind": SalesChannel.Kind.TICKETNET_AUTOMATIC,
            "accepts_third_party_tickets": True,
            "is_external": True,
        },
    )
    pos, _ = PointOfSale.objects.get_or_create(
        institution=institution,
        code="TKN",
        defaults={
            "name": "Ticketnet",
            "channel": channel,
            "payment_mode": PointOfSale.PaymentMode.PENDING_ACCOUNT,
        },
    )
    quota, _ = ExternalQuota.objects.get_or_create(
        institution=institution, name="Ticketnet", defaults={"channel": channel}
    )
    contact, _ = Contact.objects.get_or_create(
        institution=institution, name="TICKETNET", defaults={"pending_account_allowed": True}
    )
    interface = ExternalSalesInterface.objects.filter(
        institution=institution, internal_name=DEMO_INTERFACE_NAME
    ).first()
    if interface is None:
        interface = ExternalSalesInterface(
            institution=institution,
            internal_name=DEMO_INTERFACE_NAME,
            channel=channel,
            url=settings.SIMULATOR_BIND,
            login=DEMO_LOGIN,
            contact=contact,
            pending_account=True,
            point_of_sale=pos,
            external_quota=quota,
            price_policy=ExternalSalesInterface.PricePolicy.IGNORE,
            status=ExternalSalesInterface.Status.VISIBLE,
            followup_emails="ticketnet-followup@example.org",
            client_name="ELCA",
            institution_code="505",
            server_name="",
        )
        interface.set_password(DEMO_PASSWORD)
        interface.full_clean()
        interface.save()

    user_model = get_user_model()
    operator = user_model.objects.filter(username=OPERATOR_USERNAME).first()
    if operator is None:
        operator = user_model.objects.create_user(
            OPERATOR_USERNAME, password=OPERATOR_PASSWORD, is_staff=True
        )
    institution.members.add(operator)
    return DemoChannels(
        institution=institution,
        channel=channel,
        point_of_sale=pos,
        quota=quota,
        contact=contact,
        interface=interface,
        operator=operator,
        operator_username=OPERATOR_USERNAME,
        operator_password=OPERATOR_PASSWORD,
    )
