"""Checking the model against what is known: routes analysts ask about (``validation/``)."""

from caravan.validation.routes import RouteCase, RouteCaseResult, validate_routes

__all__ = ["RouteCase", "RouteCaseResult", "validate_routes"]
