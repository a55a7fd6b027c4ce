"""Template helpers of the visit forms."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def visit_key() -> str:
    """A fresh client key for a visit form: each form shown names the visit it will save,
    so that the same form sent twice (a double tap, a resend from the phone's queue) saves
    it once."""
    return str(uuid.uuid4())
