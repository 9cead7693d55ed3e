"""Caravan network package."""
