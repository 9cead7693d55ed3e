"""The one cost model: money, time and risk of every link, border crossing and transfer.

Every consumer (routes, runs, ensembles, claims) reads these figures from the
:class:`~caravan.network.model.Network` that :func:`~caravan.network.build.compile_network`
builds with :func:`cost_model`; nothing else multiplies a tariff by a length or divides a length
by a speed. Ensembles perturb the *inputs* (lengths, tariffs) and call :func:`link_costs` again.

All money is in USD per tonne, all time in hours:

- a link's tariff is ``tariff_usd_per_tkm x length_km`` and its running time
  ``length_km / speed_kmh`` (:func:`link_costs`); the atlas quotes both for containers
  (``tariffs.yaml``), and other cargo scales them by its commodity factors for the mode;
- a sea or ferry link also pays its lane's fixed cost and dwell on every traversal;
- a route pays terminal handling (load, unload) at its two ends (:func:`layer_handling`);
- a border crossing adds the dwell and fee of its direction, a transfer its dwell and fee
  (read from ``borders.csv`` and ``transfers.csv`` as they are);
- a link's risk is the mean zone risk of its two end places x exposure km x the cargo's value x
  its risk aversion x :data:`RISK_LOSS_PER_KM` (:func:`link_risk`); a link of a water mode
  (``layer: water`` in ``modes.yaml``) is exposed only near its ports;
- the generalised cost is ``money + value_of_time x time + risk`` (:func:`generalised_cost`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from caravan.model.arrays import BoolArray, FloatArray
from caravan.model.atlas import fold_name
from caravan.model.records import Commodity

if TYPE_CHECKING:
    from caravan.model.atlas import Atlas

__all__ = [
    "RISK_LOSS_PER_KM",
    "SEA_RISK_EXPOSURE_KM",
    "CostModel",
    "CostParameters",
    "cost_model",
    "generalised_cost",
    "layer_handling",
    "link_costs",
    "link_risk",
    "place_risk",
]


#: The expected share of a cargo's value lost per km travelled through a zone of risk 1.0. Risk
#: in USD/t of a link = mean zone risk of its two end places x exposure km x value_usd_per_t x
#: risk_aversion x RISK_LOSS_PER_KM. So 1,000 km through a zone of risk 0.5 costs 0.1 % of the
#: cargo's value: USD 20/t for USD 20,000/t containers. An assumption, not a sourced figure.
RISK_LOSS_PER_KM: float = 2e-6

#: Exposure of a link of a water mode (sea, ferry), in km: its length, but at most this. Zones
#: are land areas, so only the approaches to the two ports are counted. An assumption, like
#: RISK_LOSS_PER_KM.
SEA_RISK_EXPOSURE_KM: float = 100.0


@dataclass(frozen=True)
class CostParameters:
    """What a cargo brings to the cost model: its value of time, value and risk aversion."""

    value_of_time_usd_per_t_h: float
    value_usd_per_t: float
    risk_aversion: float
    risk_loss_per_km: float = RISK_LOSS_PER_KM
    sea_risk_exposure_km: float = SEA_RISK_EXPOSURE_KM
    commodity_id: str = "container"

    @classmethod
    def of(cls, commodity: Commodity) -> CostParameters:
        """The parameters of a commodity of ``commodities.yaml``."""
        return cls(
            value_of_time_usd_per_t_h=float(commodity.value_of_time_usd_per_t_h),
            value_usd_per_t=float(commodity.value_usd_per_t),
            risk_aversion=float(commodity.risk_aversion),
            commodity_id=commodity.commodity_id,
        )


@dataclass(frozen=True, eq=False)
class CostModel:
    """Cost components in atlas order: one entry per link, border crossing and transfer row.

    Link arrays cover every atlas link, usable or not (a link without a positive speed has an
    infinite or undefined running time; the network build refuses such a link when it is
    usable). Border arrays are ``(n_borders, 2)``: column 0 is the ``ab`` direction (the
    link's own direction), column 1 ``ba``.
    """

    parameters: CostParameters
    link_length_km: FloatArray
    link_speed_kmh: FloatArray
    link_tariff_usd_per_tkm: FloatArray
    link_run_time_h: FloatArray
    link_tariff_usd_per_t: FloatArray
    link_risk_usd_per_t: FloatArray
    border_dwell_h: FloatArray
    border_fee_usd_per_t: FloatArray
    transfer_dwell_h: FloatArray
    transfer_fee_usd_per_t: FloatArray
    link_lane_fee_usd_per_t: FloatArray
    link_lane_dwell_h: FloatArray


def link_costs(
    length_km: FloatArray, speed_kmh: FloatArray, tariff_usd_per_tkm: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Running time (h) and tariff (USD/t) of links: ``length / speed`` and ``tariff x length``.

    Examples
    --------
    >>> import numpy as np
    >>> time_h, money = link_costs(np.array([450.0]), np.array([45.0]), np.array([0.08]))
    >>> time_h.tolist(), money.tolist()
    ([10.0], [36.0])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        run_time_h = np.asarray(length_km / speed_kmh, dtype=np.float64)
    tariff_usd_per_t = np.asarray(tariff_usd_per_tkm * length_km, dtype=np.float64)
    return run_time_h, tariff_usd_per_t


def link_risk(
    length_km: FloatArray,
    *,
    water: BoolArray,
    from_risk: FloatArray,
    to_risk: FloatArray,
    parameters: CostParameters,
) -> FloatArray:
    """Expected loss (USD/t) of links: mean end-place risk x exposure km x value factor.

    Examples
    --------
    1,000 km of road between two places of risk 0.5, for USD 20,000/t of risk aversion 1:

    >>> import numpy as np
    >>> p = CostParameters(1.0, value_usd_per_t=20000.0, risk_aversion=1.0)
    >>> link_risk(np.array([1000.0]), water=np.array([False]), from_risk=np.array([0.5]),
    ...     to_risk=np.array([0.5]), parameters=p).round(6).tolist()
    [20.0]
    """
    value_factor = parameters.value_usd_per_t * parameters.risk_aversion
    value_factor *= parameters.risk_loss_per_km
    exposure_km = np.where(water, np.minimum(length_km, parameters.sea_risk_exposure_km), length_km)
    return np.asarray(0.5 * (from_risk + to_risk) * exposure_km * value_factor, dtype=np.float64)


def generalised_cost(
    money_usd_per_t: Any, time_h: Any, risk_usd_per_t: Any, value_of_time_usd_per_t_h: float
) -> Any:
    """``money + value_of_time x time + risk`` (scalars or arrays alike).

    Examples
    --------
    >>> generalised_cost(62.0, 30.0, 5.5, 1.0)
    97.5
    """
    return money_usd_per_t + value_of_time_usd_per_t_h * time_h + risk_usd_per_t


def place_risk(atlas: Atlas, countries: Sequence[str], admin1: Sequence[Any]) -> FloatArray:
    """Zone risk of each place: its province's zone if it has one, else its country's, else 0."""
    country_risk: dict[str, float] = {}
    province_risk: dict[tuple[str, str], float] = {}
    for z in atlas.zones:
        if z.admin1:
            province_risk[(z.country_iso3, fold_name(z.admin1))] = float(z.risk)
        else:
            country_risk[z.country_iso3] = float(z.risk)
    out = np.zeros(len(countries), dtype=np.float64)
    for i, (c, a) in enumerate(zip(countries, admin1, strict=True)):
        key = (c, fold_name(a)) if isinstance(a, str) and a else None
        out[i] = province_risk[key] if key in province_risk else country_risk.get(c, 0.0)
    return out


def cost_model(
    atlas: Atlas,
    parameters: CostParameters,
    *,
    place_risk_by_id: dict[str, float],
) -> CostModel:
    """Cost components of every atlas link, border crossing and transfer row for one cargo.

    Parameters
    ----------
    atlas : Atlas
        Its links, borders and transfers tables (scenario changes already applied).
    parameters : CostParameters
        The cargo's value of time, value and risk aversion.
    place_risk_by_id : dict
        Zone risk of each place (see :func:`place_risk`).
    """
    links = atlas.links_frame
    length = links["length_km"].to_numpy(dtype=np.float64)
    modes = [str(m) for m in links["mode"]]
    tariff_f, speed_f, lane_fee, lane_dwell = commodity_terms(
        atlas, parameters.commodity_id, modes, [str(x) for x in links["link_id"]]
    )
    speed = links["speed_kmh"].to_numpy(dtype=np.float64) * speed_f
    tariff = links["tariff_usd_per_tkm"].to_numpy(dtype=np.float64) * tariff_f
    run_time_h, tariff_usd_per_t = link_costs(length, speed, tariff)
    traits = atlas.mode_traits
    water = np.array([traits[m].water for m in links["mode"]], dtype=np.bool_)
    from_risk = np.array([place_risk_by_id[x] for x in links["from_node_id"]], dtype=np.float64)
    to_risk = np.array([place_risk_by_id[x] for x in links["to_node_id"]], dtype=np.float64)
    risk = link_risk(
        length, water=water, from_risk=from_risk, to_risk=to_risk, parameters=parameters
    )
    borders = atlas.borders_frame
    transfers = atlas.transfers_frame
    return CostModel(
        parameters=parameters,
        link_length_km=_readonly(length),
        link_speed_kmh=_readonly(speed),
        link_tariff_usd_per_tkm=_readonly(tariff),
        link_run_time_h=_readonly(run_time_h),
        link_tariff_usd_per_t=_readonly(tariff_usd_per_t),
        link_risk_usd_per_t=_readonly(risk),
        border_dwell_h=_readonly(
            np.column_stack(
                [
                    borders["dwell_h_ab"].to_numpy(dtype=np.float64),
                    borders["dwell_h_ba"].to_numpy(dtype=np.float64),
                ]
            ).reshape(-1, 2)
        ),
        border_fee_usd_per_t=_readonly(
            np.column_stack(
                [
                    borders["fee_usd_per_t_ab"].to_numpy(dtype=np.float64),
                    borders["fee_usd_per_t_ba"].to_numpy(dtype=np.float64),
                ]
            ).reshape(-1, 2)
        ),
        transfer_dwell_h=_readonly(transfers["dwell_h"].to_numpy(dtype=np.float64)),
        transfer_fee_usd_per_t=_readonly(transfers["fee_usd_per_t"].to_numpy(dtype=np.float64)),
        link_lane_fee_usd_per_t=_readonly(lane_fee),
        link_lane_dwell_h=_readonly(lane_dwell),
    )


def commodity_terms(
    atlas: Atlas,
    commodity_id: str,
    modes: Sequence[str],
    link_ids: Sequence[str] | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per link: tariff and speed multipliers for the cargo, and the fixed lane fee and dwell.

    Links are priced for containers (``tariffs.yaml``); other cargo is scaled by its commodity
    factors. Sea and ferry links also pay the lane's fixed cost (scaled like the tariff) and
    dwell on every traversal: the row naming the link, else the mode's row. Ones and zeros
    when the atlas has no tariff model.
    """
    n = len(modes)
    tariff_f, speed_f = np.ones(n), np.ones(n)
    lane_fee, lane_dwell = np.zeros(n), np.zeros(n)
    model = atlas.tariffs
    if model is None:
        return tariff_f, speed_f, lane_fee, lane_dwell
    factors = {mode: model.factor(commodity_id, mode) for mode in set(modes)}
    ids: Sequence[str | None] = link_ids if link_ids is not None else [None] * n
    for j, (mode, link_id) in enumerate(zip(modes, ids, strict=True)):
        tf, sf = factors[mode]
        lane = model.lane_for(mode, link_id)
        tariff_f[j], speed_f[j] = tf, sf
        if lane is not None:
            lane_fee[j], lane_dwell[j] = lane.usd_per_t.value * tf, lane.dwell_h.value
    return tariff_f, speed_f, lane_fee, lane_dwell


def layer_handling(
    atlas: Atlas, commodity_id: str, layers: Sequence[Any]
) -> tuple[FloatArray, FloatArray]:
    """Terminal handling per load or unload on each layer: (US$/t, hours); empty arrays when
    the atlas has no tariff model (routes then pay no handling)."""
    model = atlas.tariffs
    if model is None:
        return np.zeros(0), np.zeros(0)
    usd, hours = np.zeros(len(layers)), np.zeros(len(layers))
    for i, layer in enumerate(layers):
        row = model.handling_for(str(layer.mode), commodity_id)
        if row is not None:
            usd[i], hours[i] = row.usd_per_t.value, row.dwell_h.value
    return usd, hours


def _readonly(array: NDArray[Any]) -> NDArray[Any]:
    out = np.array(array, dtype=np.float64, copy=True)
    out.flags.writeable = False
    return out
