"""Template helpers for accessible forms and French display of durations."""

from __future__ import annotations

from django import template
from django.forms import CheckboxInput, CheckboxSelectMultiple, RadioSelect

register = template.Library()


@register.inclusion_tag("includes/field.html")
def field(bound_field, extra_class: str = ""):
    """A field with its label, help text and errors, linked for screen readers."""
    widget = bound_field.field.widget
    described = []
    if bound_field.help_text:
        described.append(f"{bound_field.auto_id}_help")
    if bound_field.errors:
        described.append(f"{bound_field.auto_id}_error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound_field.errors:
        attrs["aria-invalid"] = "true"
    if bound_field.field.required and not isinstance(widget, CheckboxInput | RadioSelect | CheckboxSelectMultiple):
        attrs["required"] = True
    is_group = isinstance(widget, RadioSelect | CheckboxSelectMultiple)
    return {
        "field": bound_field,
        "widget_html": bound_field.as_widget(attrs=attrs),
        "is_checkbox": isinstance(widget, CheckboxInput),
        "is_group": is_group,
        "extra_class": extra_class,
        "described_by": " ".join(described),
    }


@register.filter
def hours(minutes) -> str:
    """Minutes as hours and minutes, French style: 90 -> "1 h 30"."""
    if minutes is None:
        return "—"
    minutes = int(round(minutes))
    h, m = divmod(minutes, 60)
    if h and m:
        return f"{h} h {m:02d}"
    if h:
        return f"{h} h"
    return f"{m} min"


@register.simple_tag(takes_context=True)
def querystring_with(context, **kwargs) -> str:
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode() if query else ""
