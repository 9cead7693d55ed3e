"""Caravan model package."""
