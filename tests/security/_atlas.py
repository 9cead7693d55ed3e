"""A small atlas with a security layer, built in a scratch folder (for security and CLI tests).

It is ``tests/data/route-atlas`` with Cobalt placed in the province of Paktika, an analysts' zone
for Paktika (risk 0.1), a high-value commodity (``gems``) whose route reacts to risk, and a
``security/`` folder with three actors, two relations and two events.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROUTE_ATLAS = Path(__file__).resolve().parents[1] / "data" / "route-atlas"

ACTORS = """\
- actor_id: pakistan
  name: Pakistan
  kind: state
  aliases: [Military Forces of Pakistan]
  country_iso3: PAK
  based_in: [{country_iso3: PAK}]
  source_ids: [fixture]
- actor_id: ttp
  name: Tehrik-i-Taliban Pakistan
  kind: armed_group
  aliases: [TTP]
  based_in: [{country_iso3: AFG, admin1: [Paktika]}, {country_iso3: PAK}]
  source_ids: [fixture]
- actor_id: taliban
  name: Taliban
  kind: government
  country_iso3: AFG
  source_ids: [fixture]
"""

RELATIONS = """\
- subject: taliban
  predicate: shelters
  object: ttp
  source_ids: [fixture]
  quote: "The Taliban shelter the TTP."
- subject: pakistan
  predicate: fights
  object: ttp
  date: 2024-12-24
  source_ids: [fixture]
  quote: "Pakistan struck TTP hideouts."
"""

EVENTS_HEADER = (
    "event_id,event_date,time_precision,event_type,sub_event_type,actor1,actor1_id,actor2,"
    "actor2_id,country,iso3,admin1,location,latitude,longitude,geo_precision,fatalities,"
    "event_count,covered_by,source,source_ids,quote,notes\n"
)
EVENTS = EVENTS_HEADER + (
    "e-strikes,2025-01-01,1,Explosions/Remote violence,Air/drone strike,"
    "Military Forces of Pakistan,pakistan,TTP,ttp,Afghanistan,AFG,Paktika,,32.6,68.8,2,200,100,,"
    ",fixture,,made-up aggregate of 100 strikes\n"
    "e-talks,2025-01-05,1,Strategic developments,Agreement,Taliban,taliban,,,Afghanistan,AFG,,"
    ",,,,0,1,,,fixture,,talks (no risk weight)\n"
)

ZONE = """\
- zone_id: afg-paktika
  name: Paktika
  country_iso3: AFG
  admin1: Paktika
  risk: 0.1
  basis: analysts' figure for the test
  source_ids: [fixture]
"""

GEMS = """\
- commodity_id: gems
  name: Gems (high value, so risk moves the route)
  value_usd_per_t: 1000000
  value_of_time_usd_per_t_h: 1.0
  risk_aversion: 1.0
  source_ids: [fixture]
"""


def make_security_atlas(target: Path, *, events: str = EVENTS) -> Path:
    """Write the test atlas into ``target`` and return it."""
    shutil.copytree(ROUTE_ATLAS, target)
    nodes = target / "nodes.csv"
    nodes.write_text(
        nodes.read_text().replace("cobalt,Cobalt,,AFG,,", "cobalt,Cobalt,,AFG,Paktika,")
    )
    with (target / "zones.yaml").open("a") as fh:
        fh.write(ZONE)
    with (target / "commodities.yaml").open("a") as fh:
        fh.write(GEMS)
    sec = target / "security"
    sec.mkdir()
    (sec / "actors.yaml").write_text(ACTORS)
    (sec / "relations.yaml").write_text(RELATIONS)
    (sec / "events.csv").write_text(events)
    return target
