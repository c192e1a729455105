"""What the cockpit's pages change: the guided set-up (the set-up's objects and the new
interface's schedules, in one transaction), an interface's missing schedules, and the sales
statements the finance page is given."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from channels.models import (
    Contact,
    ExternalQuota,
    ExternalSalesInterface,
    Institution,
    PointOfSale,
    SalesChannel,
)
from channels.setup import NewObject, SetUp, setup_create
from schedules.jobs.schedules import schedules_ensure

# Who may run the guided set-up: it may create one object of each.
SETUP_PERMISSIONS = [f"channels.add_{model}" for model in (
    "saleschannel", "pointofsale", "externalquota", "contact", "externalsalesinterface")]


def may_set_up(user) -> bool:
    return user.has_perms(SETUP_PERMISSIONS)


@dataclass(frozen=True)
class GuidedSetUp:
    setup: SetUp
    schedules: list[PeriodicTask]


def guided_setup_create(
    *,
    institution: Institution,
    channel: SalesChannel | NewObject,
    point_of_sale: PointOfSale | NewObject,
    external_quota: ExternalQuota | NewObject,
    contact: Contact | NewObject,
    interface: NewObject,
    password: str,
) -> GuidedSetUp:
    """channels.setup.setup_create, then the interface's schedules as saving it in the admin
    creates them; all or nothing (ValidationError keyed "<section>-<field>")."""
    with transaction.atomic():
        setup = setup_create(
            institution=institution, channel=channel, point_of_sale=point_of_sale,
            external_quota=external_quota, contact=contact, interface=interface,
            password=password,
        )
        schedules = schedules_ensure(interface=setup.interface)
    return GuidedSetUp(setup=setup, schedules=schedules)


def interface_schedules_create(*, interface: ExternalSalesInterface) -> list[PeriodicTask]:
    """The guide's schedules the interface lacks (an existing one is never touched)."""
    with transaction.atomic():
        return schedules_ensure(interface=interface)


def statement_save(*, interface: ExternalSalesInterface, upload) -> Path:
    """Keep an uploaded sales statement under STATEMENT_DIR for the reconciliation job, under a
    name of ours (the interface, the time, a random part): the client's file name never makes
    the path. The caller removes it if the job cannot be queued."""
    folder = Path(settings.STATEMENT_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    path = folder / f"statement-{interface.pk}-{stamp}-{uuid.uuid4().hex}.txt"
    # "x": a name already taken is an error, never an overwrite.
    with path.open("xb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return path
