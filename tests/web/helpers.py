"""Helpers of the web tests."""

from __future__ import annotations

from typing import Any


def api_error(response: Any, status: int) -> dict[str, Any]:
    """The ``error`` of a JSON error response, checked to have the status and a message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert error["status"] == status
    assert error["message"]
    return error
