"""``{% card_slot "body" %}``: the household card's sections of one slot (households.card)."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def card_slot(context, slot):
    """Each section of ``slot`` rendered, as ``{% include %}`` would, with the card's
    context and the section's own on top of it."""
    html = []
    for section, extra in context.get("card_slots", {}).get(slot, ()):
        part = context.template.engine.get_template(section.template)
        with context.push(**extra):
            html.append(part.render(context))
    return mark_safe("".join(html))  # noqa: S308 (rendered templates, escaped by themselves)
