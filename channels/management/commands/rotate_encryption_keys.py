"""Re-encrypt every stored credential under the first key of FIELD_ENCRYPTION_KEYS."""

from django.core.management.base import BaseCommand, CommandError

from channels.services import credentials_rotate
from credentials.crypto import CredentialDecryptionError


class Command(BaseCommand):
    help = (
        "Re-encrypt every interface password under the first key of FIELD_ENCRYPTION_KEYS "
        "(all or nothing). Then the older keys can be removed from the variable."
    )

    def handle(self, *args, **options):
        try:
            result = credentials_rotate()
        except CredentialDecryptionError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-encrypted {result.rotated} password(s) under the first key; "
                f"{result.without_password} interface(s) without a password."
            )
        )
