"""The web app: the atlas on a map, a route planner, scenario comparison, a JSON/GeoJSON API.

``create_app(...)`` builds a FastAPI app over the library; ``caravan serve`` runs it. Everything
the page loads is served by the app itself: no CDN, no tile server, no font host.
"""

from caravan.web.app import WebState, create_app
from caravan.web.security import Limits

__all__ = ["Limits", "WebState", "create_app"]
