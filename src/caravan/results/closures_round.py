"""Dated closures a route goes round.

``caravan route`` names the closures in force on the day at the places its routes pass. A
closure the routes avoid altogether passes none of them, so the reader is left to guess why
Tashkent-Karachi cargo sails from Bandar Abbas: it is because Torkham and Chaman were shut from
12 Oct 2025. :func:`closures_gone_round` finds them: it routes once more with every closure and
suspension in force on the day lifted, and returns those the best route then uses.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

from caravan.model.atlas import Atlas
from caravan.model.events import StatusEvent, atlas_on_date, events_on
from caravan.model.records import LinkStatus
from caravan.network.model import Objective
from caravan.results.routes import route

__all__ = ["closures_gone_round"]


def closures_gone_round(
    atlas: Atlas,
    origin: str,
    destination: str,
    *,
    day: dt.date,
    year: int,
    commodity: str = "container",
    by: str | Objective = Objective.COST,
    open_projects: Sequence[str] = (),
    avoided_by: Sequence[str] = (),
) -> list[StatusEvent]:
    """The closures in force on ``day`` that the best route would use if they were lifted.

    Parameters
    ----------
    atlas : Atlas
        The loaded atlas (with its ``status_events``).
    origin, destination : str
        Places by id, name or alias.
    day : datetime.date
        The day whose closures and suspensions are lifted.
    year, commodity, by, open_projects
        As for :func:`caravan.results.routes.route`.
    avoided_by : sequence of str
        Link ids of the routes found with the closures in force: an event on one of them is
        not "gone round" and is left out.

    Returns
    -------
    list of StatusEvent
        In start order; empty when no closure is in force or lifting them changes nothing.
    """
    shut = [
        e
        for e in atlas.status_events
        if e.status in (LinkStatus.CLOSED, LinkStatus.SUSPENDED) and e.in_force(day)
    ]
    if not shut:
        return []
    lifted = {lid for e in shut for lid in e.link_ids}
    free = atlas_on_date(atlas, day).with_link_status(lifted, LinkStatus.OPERATIONAL.value)
    free = dataclasses.replace(free, status_events=())
    best = route(
        free,
        origin,
        destination,
        year=year,
        commodity=commodity,
        by=by,
        k=1,
        open_projects=open_projects,
    )[0]
    used = set(best.link_ids) & lifted
    seen = set(avoided_by)
    return [e for e in events_on(atlas, day, used) if not seen.intersection(e.link_ids)]
