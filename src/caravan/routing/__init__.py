"""Caravan routing package."""
