"""Steering: quarterly transmissions (the indicators themselves are computed, never stored)."""
