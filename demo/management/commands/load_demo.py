"""Load the guide's example set-up and a realistic catalogue; safe to run again."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog import demo as catalog_demo
from channels import demo as channels_demo
from mappings import demo as mappings_demo
from sales import demo as sales_demo
from schedules.jobs.schedules import schedules_ensure

OPERATORS_GROUP = "Ticketnet operators"
# The apps an operator works in (the audit log: reading only, the only permission it has);
# institutions themselves are managed by superusers.
OPERATOR_APPS = ["channels", "catalog", "mappings", "sales", "reconciliation", "schedules",
                 "audit"]
SUPERUSER_ONLY = {"add_institution", "delete_institution"}


def operators_group() -> Group:
    """The group of institution operators, with every permission of the bridge's apps."""
    group, _ = Group.objects.get_or_create(name=OPERATORS_GROUP)
    permissions = Permission.objects.filter(content_type__app_label__in=OPERATOR_APPS).exclude(
        codename__in=SUPERUSER_ONLY
    )
    group.permissions.set(permissions)
    return group


class Command(BaseCommand):
    help = "Create the guide's example configuration and demo data (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            result = channels_demo.load()
            result.operator.groups.add(operators_group())
            catalog = catalog_demo.load(
                institution=result.institution, channel=result.channel, quota=result.quota
            )
            codes = mappings_demo.load(interface=result.interface)
            passes = sales_demo.load(institution=result.institution, contact=result.contact)
            # Last, once the demo catalogue is in: quota sync only if it has non-numbered events.
            schedules = [
                task
                for interface in (
                    result.interface, passes.visit_pass_interface, passes.flat_file_interface
                )
                for task in schedules_ensure(interface=interface)
            ]
        self.stdout.write(
            f"Catalogue: {catalog.concert.code} and {catalog.league.code} "
            f"({catalog.league.performances.count()} performances), {catalog.seats} seats; "
            f"Ticketnet codes: {codes.created} new"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: institution {result.institution.code}, "
                f"interface “{result.interface.internal_name}” on {result.interface.url}; "
                f"operator login {result.operator_username} / {result.operator_password}"
            )
        )
        self.stdout.write(
            f"Passes: interfaces “{passes.visit_pass_interface.internal_name}” and "
            f"“{passes.flat_file_interface.internal_name}” (flat files in "
            f"{passes.flat_file_interface.flat_file_folder}), undated pass "
            f"{passes.undated_pass.code}"
        )
        if schedules:
            self.stdout.write("Schedules created: " + ", ".join(t.name for t in schedules))
