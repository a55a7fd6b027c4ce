from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from common import crypto
from common.fields import BlindIndexField, EncryptedResidentIdField
from common.reencrypt import Counts, reencrypt


def encrypted_columns():
    """(model, field, digest) for every encrypted column with its blind index: members'
    ID numbers and their history's (simple_history copies both fields)."""
    for model in apps.get_models():
        fields = model._meta.concrete_fields
        for field in fields:
            if isinstance(field, EncryptedResidentIdField):
                digest = next(
                    (f.name for f in fields if isinstance(f, BlindIndexField) and f.source == field.name),
                    None,
                )
                if digest is not None:
                    yield model, field.name, digest


class Command(BaseCommand):
    help = (
        "Rewrite every encrypted value (members' ID numbers and their history) under the first key "
        "of FIELD_ENCRYPTION_KEYS and the current cipher, and every digest under the first key of "
        "FIELD_BLIND_INDEX_KEYS. In batches, each committed on its own; run again to resume. "
        "Remove an old key from the settings only after a run that reports nothing left."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--new-key",
            metavar="ID",
            help="Print a fresh random key with this id, written as the settings expect it, and stop.",
        )

    def handle(self, *args, batch_size, new_key, **options):
        if new_key:
            if not new_key.isalnum():
                raise CommandError("A key id is letters and digits.")
            self.stdout.write(crypto.new_key_text(new_key))
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        ring = crypto.keyring()
        self.stdout.write(
            f"Encrypting under key {ring.current_key_id!r} with {ring.cipher}, "
            f"indexing with HMAC-{ring.index_hash.upper()} under the first index key."
        )
        total = Counts()
        for model, field, digest in encrypted_columns():
            try:
                counts = reencrypt(model, field=field, digest=digest, batch_size=batch_size)
            except crypto.DecryptionError as error:
                raise CommandError(f"{model._meta.label}.{field}: {error}") from None
            total += counts
            self.stdout.write(
                f"{model._meta.label}.{field}: {counts.examined} rows, "
                f"{counts.encrypted} re-encrypted, {counts.reindexed} re-indexed."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {total.examined} rows, {total.encrypted} re-encrypted, {total.reindexed} re-indexed. "
                "Every value is now under the first keys; older keys may be removed."
            )
        )
