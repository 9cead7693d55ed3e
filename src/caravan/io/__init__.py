"""Caravan io package."""
