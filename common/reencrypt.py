"""Rewriting encrypted columns under the current key and cipher, digests under the
current index key: the data migration that first encrypts, and ``manage.py rotate_keys``.

Batches in primary-key order, each in its own transaction, and only the rows that need
it: a run stopped half-way is resumed by running it again.
"""

from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.functions import Cast

from common import crypto


@dataclass
class Counts:
    examined: int = 0
    encrypted: int = 0  # rewritten under the current key and cipher
    reindexed: int = 0  # given a new digest

    def __iadd__(self, other):
        self.examined += other.examined
        self.encrypted += other.encrypted
        self.reindexed += other.reindexed
        return self


def reencrypt(model, *, field: str, digest: str, batch_size: int = 1000, progress=None) -> Counts:
    """Bring every row of ``model`` to the current keys; ``progress(counts)`` after each batch."""
    source = model._meta.get_field(field)
    purpose = source.purpose
    counts = Counts()
    last = None
    while True:
        rows = model._base_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        # Cast: the stored text as it is, past the field's decryption.
        batch = list(
            rows.annotate(stored=Cast(field, models.TextField())).values_list("pk", "stored", digest)[
                :batch_size
            ]
        )
        if not batch:
            return counts
        last = batch[-1][0]
        changed = []
        for pk, stored, old_digest in batch:
            counts.examined += 1
            if not stored:
                continue
            plain = crypto.decrypt(stored, purpose=purpose) if crypto.is_ciphertext(stored) else stored
            new_digest = crypto.blind_index(plain, purpose=purpose)
            rewrite = crypto.needs_rewrite(stored)
            if rewrite or new_digest != old_digest:
                counts.encrypted += rewrite
                counts.reindexed += new_digest != old_digest
                changed.append((pk, plain, new_digest))
        with transaction.atomic():
            for pk, plain, new_digest in changed:
                # update() writes through the field's get_db_prep_save: the number encrypted.
                model._base_manager.filter(pk=pk).update(**{field: plain, digest: new_digest})
        if progress is not None:
            progress(counts)
