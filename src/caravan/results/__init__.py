"""Caravan results package."""
