"""Fields that accept numbers the way people type them and store them one way."""

from django import forms
from django.db import models

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
