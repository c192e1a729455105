"""Operations on the sales set-up that are more than a model save."""

from dataclasses import dataclass

from django.db import transaction

from credentials import crypto

from .models import ExternalSalesInterface


@dataclass(frozen=True)
class CredentialRotation:
    rotated: int
    without_password: int


def credentials_rotate() -> CredentialRotation:
    """Re-encrypt every stored interface password under the first FIELD_ENCRYPTION_KEYS key.

    All or nothing: if one password cannot be decrypted with the configured keys, raises
    `CredentialDecryptionError` naming the interface and changes nothing.
    """
    rotated = without = 0
    with transaction.atomic():
        interfaces = (
            ExternalSalesInterface.objects.select_for_update()
            .order_by("pk")
            .only("pk", "internal_name", "institution_id", "password_encrypted")
        )
        for interface in interfaces:
            if not interface.password_encrypted:
                without += 1
                continue
            try:
                token = crypto.rotate(interface.password_encrypted)
            except crypto.CredentialDecryptionError as exc:
                raise crypto.CredentialDecryptionError(
                    f"The password of the interface “{interface.internal_name}” "
                    f"(id {interface.pk}) cannot be decrypted with any key of "
                    "FIELD_ENCRYPTION_KEYS: nothing was re-encrypted. Put back the key it "
                    "was written with (after the new one) and run the command again."
                ) from exc
            ExternalSalesInterface.objects.filter(pk=interface.pk).update(
                password_encrypted=token
            )
            rotated += 1
    return CredentialRotation(rotated=rotated, without_password=without)
