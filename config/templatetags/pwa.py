from django import template
from django.utils.html import json_script

from config import pwa

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_data(context):
    """The phone script's strings and endpoints, as data (the CSP refuses inline scripts)."""
    request = context.get("request")
    if request is None:
        return ""
    return json_script(pwa.strings(request), "hhl-offline")
