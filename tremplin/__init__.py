"""Tremplin: information system for French supported-employment platforms."""
