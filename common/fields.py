"""Fields that accept numbers the way people type them and store them one way."""

from django import forms
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.lookups import Exact

from common import crypto
from common.validators import (
    normalize_mobile,
    normalize_resident_id,
    validate_mobile,
    validate_resident_id,
)


class _NormalizingFormField(forms.CharField):
    normalize = staticmethod(lambda value: value)

    def to_python(self, value):
        return self.normalize(super().to_python(value))

    def widget_attrs(self, widget):
        # People type "+86 138-0013-8000"; the length is checked after normalising.
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class MobileNumberFormField(_NormalizingFormField):
    normalize = staticmethod(normalize_mobile)

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel", "autocomplete": "tel"}


class ResidentIdFormField(_NormalizingFormField):
    normalize = staticmethod(normalize_resident_id)


class MobileNumberField(models.CharField):
    """A mainland mobile number, stored as 11 digits without +86, spaces or hyphens."""

    default_validators = [validate_mobile]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 11)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_mobile(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MobileNumberFormField, **kwargs})


class ResidentIdField(models.CharField):
    """A resident ID number (GB 11643-1999), stored as 18 characters with a capital X."""

    default_validators = [validate_resident_id]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalize_resident_id(value) if value else value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ResidentIdFormField, **kwargs})


class _EmptyOnlyExact(Exact):
    """``id_number=""`` (no number) still works: empty values are stored empty. Any other
    equality would compare a number with a ciphertext and silently match nothing."""

    def __init__(self, lhs, rhs):
        if rhs != "":
            raise FieldError(
                f"{lhs.target.name} is stored encrypted and cannot be compared in SQL: "
                f"look it up by its blind index (e.g. Member.objects.with_id_number(number))."
            )
        super().__init__(lhs, rhs)


class EncryptedResidentIdField(ResidentIdField):
    """A resident ID number stored encrypted (common.crypto); reads give the number.

    Equality search goes through the ``BlindIndexField`` beside it; every lookup but
    ``=""`` and ``isnull`` raises FieldError rather than matching nothing. A value read
    that is not yet ciphertext (a row from before encryption, until the migration or
    ``rotate_keys`` rewrites it) reads as it is.
    """

    # 18 characters encrypted: "v1$<id>$sm4-gcm$" and 64 characters of base64.
    STORED_LENGTH = 160

    def __init__(self, *args, purpose="resident_id", **kwargs):
        self.purpose = purpose
        kwargs.setdefault("max_length", self.STORED_LENGTH)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.purpose != "resident_id":
            kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        # The column is long; the number is 18 characters (checked by the validator).
        return super().formfield(**{"max_length": None, **kwargs})

    def from_db_value(self, value, expression, connection):
        if value and crypto.is_ciphertext(value):
            return crypto.decrypt(value, purpose=self.purpose)
        return value

    def get_db_prep_save(self, value, connection):
        value = self.get_prep_value(value)
        return crypto.encrypt(normalize_resident_id(value), purpose=self.purpose) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name == "exact":
            return _EmptyOnlyExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django raises "Unsupported lookup ... for EncryptedResidentIdField"


class BlindIndexField(models.CharField):
    """The keyed hash of another field's value (common.crypto.blind_index), written by
    every save, bulk_create included (both call pre_save), so it cannot fall out of step.
    ``QuerySet.update()`` and ``bulk_update()`` do not: write the source field through
    save(), or recompute (``rotate_keys`` does)."""

    def __init__(self, *args, source="", purpose="resident_id", **kwargs):
        self.source = source
        self.purpose = purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.purpose != "resident_id":
            kwargs["purpose"] = self.purpose
        for key, default in [("max_length", 64), ("blank", True), ("default", ""), ("editable", False)]:
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def digest_of(self, value) -> str:
        return crypto.blind_index(normalize_resident_id(value), purpose=self.purpose) if value else ""

    def pre_save(self, model_instance, add):
        digest = self.digest_of(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, digest)
        return digest
