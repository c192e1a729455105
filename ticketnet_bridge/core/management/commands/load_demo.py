"""Load the guide's example set-up and a realistic catalogue; safe to run again."""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from channels import demo as channels_demo

OPERATORS_GROUP = "Ticketnet operators"
# The apps an operator works in; institutions themselves are managed by superusers.
OPERATOR_APPS = ["channels", "catalog", "mappings", "sales", "schedules"]
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: institution {result.institution.code}, "
                f"interface “{result.interface.internal_name}” on {result.interface.url}; "
                f"operator login {result.operator_username} / {result.operator_password}"
            )
        )
