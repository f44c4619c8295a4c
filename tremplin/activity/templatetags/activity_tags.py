"""Filters of the activity pages (the person's page section is built by `activity.page`)."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def plain_number(value, places: int = 2) -> str:
    """A number with at most `places` decimals and no trailing zeros, French style: 0.50 -> "0,5"."""
    if value is None or value == "":
        return "—"
    # The same few values (FTE, ceilings, loads) repeat on every row of a team's table.
    return _plain_number(float(value), int(places), get_language())


@lru_cache(maxsize=1024)
def _plain_number(value: float, places: int, language: str | None) -> str:
    text = f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places)):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return number_format(Decimal(text), decimal_pos=decimals)
