"""Text helpers."""

from __future__ import annotations

import unicodedata


def normalise(value: str) -> str:
    """Lower case, without accents, single spaces: for searching names ("Élodie" finds "elodie")."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    without_accents = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(without_accents.lower().replace("-", " ").replace("'", " ").split())
