"""`{% render_section "employment/_person_overview.html" sections.employment %}`: renders a
section of the person's page with the context its builder returned (`people.page`), on top of
the page's own (request, csrf token, permissions). Render only: no query here."""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, template_name: str, section: dict | None) -> str:
    if not section:
        return ""
    with context.push(**section):
        return context.template.engine.get_template(template_name).render(context)
