"""Caravan assign package."""
