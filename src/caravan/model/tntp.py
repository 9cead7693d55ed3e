"""TNTP networks as records: a net file's columns, its flows, nodes and trips (arrays only).

Read and written by :mod:`caravan.io.tntp`; turned into assignment problems by
:mod:`caravan.assign.tntp`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.model.arrays import FloatArray, IntArray

__all__ = ["NET_COLUMNS", "TntpData", "TntpFlow", "TntpNet", "TntpNodes"]

#: The columns of a TNTP net file, in order.
NET_COLUMNS = (
    "init_node",
    "term_node",
    "capacity",
    "length",
    "free_flow_time",
    "b",
    "power",
    "speed",
    "toll",
    "link_type",
)


@dataclass(frozen=True)
class TntpNet:
    """A TNTP net file: metadata and one array per column (node ids as written, 1-based)."""

    source: str
    n_zones: int
    n_nodes: int
    first_thru_node: int
    metadata: dict[str, str]
    init_node: IntArray
    term_node: IntArray
    capacity: FloatArray
    length: FloatArray
    free_flow_time: FloatArray
    b: FloatArray
    power: FloatArray
    speed: FloatArray
    toll: FloatArray
    link_type: IntArray

    @property
    def n_links(self) -> int:
        """Number of links."""
        return int(self.init_node.size)


@dataclass(frozen=True)
class TntpFlow:
    """A TNTP flow file: link flows (and costs, when given) keyed by (from, to) node ids."""

    source: str
    from_node: IntArray
    to_node: IntArray
    volume: FloatArray
    cost: FloatArray | None


@dataclass(frozen=True)
class TntpNodes:
    """A TNTP node file: coordinates per node id."""

    source: str
    node_id: IntArray
    x: FloatArray
    y: FloatArray


@dataclass(frozen=True)
class TntpData:
    """Everything in a TNTP network folder."""

    name: str
    net: TntpNet
    trips: FloatArray = field(repr=False)
    flow: TntpFlow | None = None
    nodes: TntpNodes | None = None
