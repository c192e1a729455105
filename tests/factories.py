"""factory_boy factories of the sales set-up and the catalogue, shared by every app's tests.

Each app's own models get their factories in tests/<app>/factories.py.
"""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from catalog import models as catalog
from channels import models as channels


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass-word-1234")

    @factory.post_generation
    def institutions(self, create, extracted, **kwargs):
        if create and extracted:
            self.institutions.add(*extracted)
        if create:
            self.save()


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = channels.Institution
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"inst{n}")
    name = factory.Sequence(lambda n: f"Institution {n}")
    language = "fr"


class SalesChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = channels.SalesChannel

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Ticketnet {n}")
    kind = channels.SalesChannel.Kind.TICKETNET_AUTOMATIC
    accepts_third_party_tickets = True


class PointOfSaleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = channels.PointOfSale

    institution = factory.SubFactory(InstitutionFactory)
    channel = factory.SubFactory(
        SalesChannelFactory, institution=factory.SelfAttribute("..institution")
    )
    code = factory.Sequence(lambda n: f"TKN{n}")
    payment_mode = channels.PointOfSale.PaymentMode.PENDING_ACCOUNT


class ExternalQuotaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = channels.ExternalQuota

    institution = factory.SubFactory(InstitutionFactory)
    channel = factory.SubFactory(
        SalesChannelFactory, institution=factory.SelfAttribute("..institution")
    )
    name = factory.Sequence(lambda n: f"Ticketnet quota {n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = channels.Contact

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"TICKETNET{n}")
    pending_account_allowed = True


class InterfaceFactory(factory.django.DjangoModelFactory):
    """A valid interface: its channel, point of sale, quota and contact hang together."""

    class Meta:
        model = channels.ExternalSalesInterface
        skip_postgeneration_save = True

    institution = factory.SubFactory(InstitutionFactory)
    channel = factory.SubFactory(
        SalesChannelFactory, institution=factory.SelfAttribute("..institution")
    )
    internal_name = factory.Sequence(lambda n: f"FR * Ticketnet {n}")
    url = "127.0.0.1:7120"
    login = "SBSSOMETHING"
    contact = factory.SubFactory(ContactFactory, institution=factory.SelfAttribute("..institution"))
    pending_account = True
    point_of_sale = factory.SubFactory(
        PointOfSaleFactory,
        institution=factory.SelfAttribute("..institution"),
        channel=factory.SelfAttribute("..channel"),
    )
    external_quota = factory.SubFactory(
        ExternalQuotaFactory,
        institution=factory.SelfAttribute("..institution"),
        channel=factory.SelfAttribute("..channel"),
    )
    price_policy = channels.ExternalSalesInterface.PricePolicy.ERROR
    followup_emails = "followup@example.org"
    client_name = "ELCA"
    institution_code = "505"

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or "secret-password")
        if create:
            self.save(update_fields=["password_encrypted"])


class HallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Hall

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Hall {n}")


class LogicalConfigurationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.LogicalConfiguration

    hall = factory.SubFactory(HallFactory)
    name = factory.Sequence(lambda n: f"Configuration {n}")


class SeatCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.SeatCategory

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    rank = factory.Sequence(lambda n: n % 10 + 1)


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Zone

    configuration = factory.SubFactory(LogicalConfigurationFactory)
    name = factory.Sequence(lambda n: f"Block {n}")
    block_letter = "A"
    block_number = factory.Sequence(lambda n: n % 99 + 1)
    numbered = True


class NonNumberedZoneFactory(ZoneFactory):
    numbered = False
    block_letter = "F"
    capacity = 2500
    category = factory.SubFactory(
        SeatCategoryFactory,
        institution=factory.SelfAttribute("..configuration.hall.institution"),
    )


class SeatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Seat

    zone = factory.SubFactory(ZoneFactory)
    row = 1
    number = factory.Sequence(lambda n: n + 1)
    category = factory.SubFactory(
        SeatCategoryFactory, institution=factory.SelfAttribute("..zone.configuration.hall.institution")
    )


class TariffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Tariff

    institution = factory.SubFactory(InstitutionFactory)
    code = factory.Sequence(lambda n: f"T{n}")
    name = factory.Sequence(lambda n: f"Tariff {n}")
    audience_type = catalog.Tariff.AudienceType.OCCASIONAL_CONTACT


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Event

    institution = factory.SubFactory(InstitutionFactory)
    code = factory.Sequence(lambda n: f"EV{n}")
    name = factory.Sequence(lambda n: f"Event {n}")
    kind = catalog.Event.Kind.SINGLE
    season = 2026


class PerformanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Performance

    event = factory.SubFactory(EventFactory)
    start = factory.Sequence(
        lambda n: timezone.make_aware(dt.datetime(2026, 12, 1, 20, 30) + dt.timedelta(days=n))
    )
    configuration = factory.SubFactory(
        LogicalConfigurationFactory,
        hall__institution=factory.SelfAttribute("...event.institution"),
    )


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.Price

    event = factory.SubFactory(EventFactory)
    category = factory.SubFactory(
        SeatCategoryFactory, institution=factory.SelfAttribute("..event.institution")
    )
    tariff = factory.SubFactory(
        TariffFactory, institution=factory.SelfAttribute("..event.institution")
    )
    amount_cents = 2500


class SeatAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.SeatAllocation

    performance = factory.SubFactory(PerformanceFactory)
    seat = factory.SubFactory(
        SeatFactory, zone__configuration=factory.SelfAttribute("...performance.configuration")
    )
    quota = factory.SubFactory(
        ExternalQuotaFactory, institution=factory.SelfAttribute("..performance.event.institution")
    )


class ZoneAllocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.ZoneAllocation

    performance = factory.SubFactory(PerformanceFactory)
    zone = factory.SubFactory(
        NonNumberedZoneFactory,
        configuration=factory.SelfAttribute("..performance.configuration"),
    )
    quota = factory.SubFactory(
        ExternalQuotaFactory, institution=factory.SelfAttribute("..performance.event.institution")
    )
    places = 500


class ActivityProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = catalog.ActivityProfile

    institution = factory.SubFactory(InstitutionFactory)
    channel = factory.SubFactory(
        SalesChannelFactory, institution=factory.SelfAttribute("..institution")
    )
    name = factory.Sequence(lambda n: f"Profile {n}")


def staff_user(*institutions, app_labels=("catalog", "mappings"), **kwargs):
    """A staff user (not superuser) of `institutions` with every permission of `app_labels`."""
    from django.contrib.auth.models import Permission

    user = UserFactory(institutions=list(institutions), **kwargs)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label__in=app_labels))
    return user
