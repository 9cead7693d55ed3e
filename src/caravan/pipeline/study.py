"""The pipeline: one atlas, its scenarios, their worlds and networks, cached once."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, MutableMapping, Sequence
from pathlib import Path
from typing import TypeVar

from caravan.ensemble.executors import Executor
from caravan.ensemble.run import run_ensemble
from caravan.ensemble.spec import EnsembleSpec, spec_from_mapping
from caravan.ensemble.summary import EnsembleResult
from caravan.io.atlas import load_atlas
from caravan.io.scenario import load_scenario
from caravan.model.atlas import Atlas
from caravan.model.events import atlas_on_date, parse_day
from caravan.model.scenario import Scenario
from caravan.network.build import build_network
from caravan.network.model import Network
from caravan.results import runs
from caravan.results.choice_sets import share_choice_sets
from caravan.results.compare import Comparison, compare_runs
from caravan.results.no_route import every_link_network
from caravan.results.runs import (
    RoutedScenario,
    RunResult,
    route_scenario,
    run_date,
    scenario_world,
    settle_routed,
)
from caravan.results.skims import Skims, skims
from caravan.security.files import scenario_events

__all__ = ["Pipeline", "run_scenario", "scenario_key", "scenario_skims"]

NetworkKey = tuple[str, int, str, tuple[str, ...]]
K = TypeVar("K")
V = TypeVar("V")

#: Routed scenarios a pipeline keeps (route sets before settling; least recently made dropped).
MAX_ROUTED = 4


def scenario_key(
    atlas: Atlas, scenario: Scenario, as_of: str | None, date: dt.date | None = None
) -> str:
    """A digest of what a scenario's world is built from: the atlas, the scenario's content
    (not only its file: ensembles vary the projects a scenario opens), the security date and
    the day whose dated link states apply."""
    day = date if date is not None else run_date(atlas, scenario)
    text = f"{atlas.digest}\n{scenario!r}\n{as_of or scenario.security_as_of or ''}\n{day}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class Pipeline:
    """Scenario by name -> world (atlas + scenario + events as of a date) -> networks -> run.

    Parameters
    ----------
    atlas : Atlas, optional
        The atlas every scenario applies to (the shipped one by default).
    max_networks : int
        Networks kept (least recently used dropped); worlds are kept as long as one of their
        networks is.

    Examples
    --------
    >>> from pathlib import Path
    >>> import caravan
    >>> atlas = caravan.load_atlas(Path(caravan.__file__).parents[2] / "tests/data/route-atlas")
    >>> p = Pipeline(atlas)
    >>> world, key = p.world(Scenario(name="s", description="", year=2025))
    >>> p.network(world, key, year=2025, commodity="container") is p.network(
    ...     world, key, year=2025, commodity="container")
    True
    """

    def __init__(self, atlas: Atlas | None = None, *, max_networks: int = 32) -> None:
        self.atlas = atlas if atlas is not None else load_atlas()
        self._max_networks = max_networks
        self._scenarios: dict[str, Scenario] = {}
        self._worlds: dict[str, Atlas] = {}
        self._routed: OrderedDict[str, RoutedScenario] = OrderedDict()
        self._networks: OrderedDict[NetworkKey, Network] = OrderedDict()
        self._building: dict[NetworkKey, threading.Lock] = {}
        self._explaining: weakref.WeakKeyDictionary[Network, Network] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()

    def _kept(self, store: MutableMapping[K, V], key: K, make: Callable[[], V]) -> V:
        """``store[key]``, made (outside the lock) and kept if it is not there yet; when two
        threads make it at once, the first one kept wins."""
        with self._lock:
            found = store.get(key)
        if found is None:
            found = make()
            with self._lock:
                found = store.setdefault(key, found)
        return found

    @property
    def atlas_key(self) -> str:
        """The cache key of the atlas as it is (no scenario applied)."""
        return f"atlas:{self.atlas.digest}"

    def atlas_network(
        self,
        *,
        year: int,
        commodity: str,
        open_projects: Sequence[str] = (),
        date: str | dt.date | None = None,
    ) -> Network:
        """The network of the atlas itself for a year, commodity and opened projects; with a
        ``date``, the links are as on that day (dated closures and openings,
        :func:`caravan.model.events.atlas_on_date`)."""
        world, key = self.atlas, self.atlas_key
        if date is not None and self.atlas.status_events:
            day = parse_day(date)
            key = f"{self.atlas_key}:{day.isoformat()}"
            world = self._kept(self._worlds, key, lambda: atlas_on_date(self.atlas, day))
        return self.network(world, key, year=year, commodity=commodity, open_projects=open_projects)

    def scenario(self, scenario: str | Path | Scenario) -> Scenario:
        """A scenario by shipped name or file, with its ``base`` chain resolved (read once)."""
        if isinstance(scenario, Scenario):
            return scenario
        return self._kept(
            self._scenarios, str(scenario), lambda: load_scenario(scenario, self.atlas)
        )

    def world(
        self,
        scenario: str | Path | Scenario,
        *,
        as_of: str | None = None,
        date: str | dt.date | None = None,
    ) -> tuple[Atlas, str]:
        """The atlas a scenario runs on (link states on its day, security picture as of a
        date, then its changes), and its key in the cache."""
        resolved = self.scenario(scenario)
        day = run_date(self.atlas, resolved, date)
        key = scenario_key(self.atlas, resolved, as_of, day)

        def make() -> Atlas:
            events = scenario_events(self.atlas, resolved, as_of=as_of)
            return scenario_world(self.atlas, resolved, as_of=as_of, date=day, events=events)

        return self._kept(self._worlds, key, make), key

    def network(
        self,
        world: Atlas,
        world_key: str,
        *,
        year: int,
        commodity: str,
        open_projects: Sequence[str] = (),
    ) -> Network:
        """The network of a world for a year, commodity and extra opened projects, built once
        (threads asking for the same network wait for one build)."""
        key: NetworkKey = (world_key, int(year), commodity, tuple(open_projects))
        with self._lock:
            network = self._networks.get(key)
            if network is not None:
                self._networks.move_to_end(key)
                return network
            gate = self._building.setdefault(key, threading.Lock())
        with gate:
            with self._lock:
                network = self._networks.get(key)
            if network is not None:
                return network
            network = build_network(
                world, year=year, commodity=commodity, open_projects=list(open_projects)
            )
        with self._lock:
            self._building.pop(key, None)
            self._networks[key] = network
            while len(self._networks) > self._max_networks:
                self._networks.popitem(last=False)
            kept = {k[0] for k in self._networks}
            for stale in [k for k in self._worlds if k not in kept and k != world_key]:
                del self._worlds[stale]
        return network

    def explaining_network(self, network: Network) -> Network:
        """The network with every link usable that explains a missing route (built once per
        network, kept as long as the network is)."""
        return self._kept(self._explaining, network, lambda: every_link_network(network))

    def routed(
        self,
        scenario: str | Path | Scenario,
        *,
        as_of: str | None = None,
        date: str | dt.date | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> RoutedScenario:
        """A scenario's flows with their route sets, on the cached world and networks (the last
        few kept: a study compares one baseline with many scenarios)."""
        resolved = self.scenario(scenario)
        day = run_date(self.atlas, resolved, date)
        world, key = self.world(resolved, as_of=as_of, date=day)
        with self._lock:
            kept = self._routed.get(key)
            if kept is not None:
                # least recently used is dropped first: a study's baseline stays while it
                # is compared with one scenario after another
                self._routed.move_to_end(key)
        if kept is not None:
            return kept

        def network_of(commodity: str) -> Network:
            return self.network(world, key, year=resolved.year, commodity=commodity)

        routed = route_scenario(
            resolved,
            atlas=self.atlas,
            as_of=as_of,
            date=day,
            progress=progress,
            world=world,
            network_of=network_of,
            explaining=self.explaining_network,
        )
        with self._lock:
            self._routed[key] = routed
            while len(self._routed) > MAX_ROUTED:
                self._routed.popitem(last=False)
        return routed

    def run(
        self,
        scenario: str | Path | Scenario,
        *,
        as_of: str | None = None,
        date: str | dt.date | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> RunResult:
        """Route and settle a scenario's freight (see :func:`caravan.results.runs.run_scenario`).

        ``date`` (YYYY-MM-DD) is the day whose dated closures and openings apply (default: the
        scenario's ``date``, else the atlas's as-of date or 1 July of the scenario's year; see
        :func:`caravan.results.runs.run_date`).
        """
        routed = self.routed(scenario, as_of=as_of, date=date, progress=progress)
        return settle_routed(routed, progress=progress)

    def skims(
        self,
        scenario: str | Path | Scenario,
        *,
        zone_ids: Sequence[str] | None = None,
        commodity_ids: Sequence[str] | None = None,
        date: str | dt.date | None = None,
    ) -> Skims:
        """Skim matrices of a scenario's world in its year (:func:`caravan.results.skims.skims`);
        with a ``date``, the links as on that day, its season's closures included."""
        resolved = self.scenario(scenario)
        day = parse_day(date) if date is not None else None
        world, _ = self.world(resolved, date=day)
        return skims(
            world,
            year=resolved.year,
            scenario=resolved.name,
            zone_ids=zone_ids,
            commodity_ids=commodity_ids,
            day=day,
        )

    def compare(
        self,
        a: str | Path | Scenario | RunResult,
        b: str | Path | Scenario | RunResult,
        *,
        as_of: str | None = None,
        date: str | dt.date | None = None,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> Comparison:
        """Compare two scenarios, B minus A, over one choice set per flow.

        Given scenarios, both are routed, every flow gets the union of the routes found in
        either, each scenario pricing those that exist in it
        (:func:`caravan.results.choice_sets.share_choice_sets`), and both are settled: a
        change then always has a cause in the network. Given two finished runs, they are
        compared as they are (their route sets were searched apart).
        """
        if isinstance(a, RunResult) and isinstance(b, RunResult):
            return compare_runs(a, b)
        if isinstance(a, RunResult) or isinstance(b, RunResult):
            run_a = a if isinstance(a, RunResult) else self.run(a, as_of=as_of, date=date)
            run_b = b if isinstance(b, RunResult) else self.run(b, as_of=as_of, date=date)
            return compare_runs(run_a, run_b)
        routed_a = self.routed(a, as_of=as_of, date=date, progress=progress)
        routed_b = self.routed(b, as_of=as_of, date=date, progress=progress)
        shared_a, shared_b = share_choice_sets(routed_a, routed_b)
        return compare_runs(
            settle_routed(shared_a, progress=progress), settle_routed(shared_b, progress=progress)
        )

    def ensemble_spec(
        self,
        scenario: str | Path | Scenario,
        *,
        draws: int | None = None,
        seed: int | None = None,
    ) -> EnsembleSpec:
        """The scenario's ``ensemble:`` section as a spec (draws and seed overridden if given)."""
        resolved = self.scenario(scenario)
        return spec_from_mapping(
            resolved.ensemble, source=f"scenario {resolved.name}", draws=draws, seed=seed
        )

    def ensemble(
        self,
        scenario: str | Path | Scenario,
        *,
        reference: str | Path | Scenario | None = None,
        spec: EnsembleSpec | None = None,
        executor: Executor | str = Executor.PROCESS,
        workers: int | None = None,
        scheduler: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> EnsembleResult:
        """Draw a scenario's uncertain inputs many times (:func:`caravan.ensemble.run_ensemble`)."""
        resolved = self.scenario(scenario)
        ref = self.scenario(reference) if reference is not None else None
        return run_ensemble(
            resolved,
            reference=ref,
            spec=spec if spec is not None else self.ensemble_spec(resolved),
            atlas=self.atlas,
            executor=executor,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
        )


def run_scenario(
    scenario: str | Path | Scenario,
    *,
    atlas: Atlas | None = None,
    as_of: str | None = None,
    date: str | dt.date | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> RunResult:
    """Route and settle the demand of a scenario, once (no cache).

    Parameters
    ----------
    scenario : str, Path or Scenario
        A shipped scenario name, a scenario file, or a resolved scenario.
    atlas : Atlas, optional
        The atlas to start from (the shipped one by default).
    as_of : str, optional
        Date (YYYY-MM-DD) of the security picture that sets zone risks (default: the
        scenario's ``security_as_of``, else the atlas's zone figures).
    date : str or datetime.date, optional
        The day whose dated link closures and openings apply
        (:func:`caravan.results.runs.run_date`).
    progress : callable, optional
        Called as ``progress(stage, done, total)`` while routing flows and settling them.
    """
    pipeline = Pipeline(atlas)  # resolves the atlas and scenario as every pipeline does
    resolved = pipeline.scenario(scenario)
    return runs.run_scenario(
        resolved,
        atlas=pipeline.atlas,
        events=scenario_events(pipeline.atlas, resolved, as_of=as_of),
        as_of=as_of,
        date=date,
        progress=progress,
    )


def scenario_skims(
    scenario: str | Path | Scenario,
    *,
    atlas: Atlas | None = None,
    zone_ids: Sequence[str] | None = None,
    commodity_ids: Sequence[str] | None = None,
    date: str | dt.date | None = None,
) -> Skims:
    """:func:`caravan.results.skims.skims` of a scenario's world in its year (what
    ``caravan skims`` writes; with a ``date``, that day's links and season).

    Parameters
    ----------
    scenario : str, Path or Scenario
        A shipped scenario name, a scenario file, or a resolved scenario.
    atlas : Atlas, optional
        The atlas the scenario applies to (the shipped one by default).
    """
    return Pipeline(atlas).skims(
        scenario, zone_ids=zone_ids, commodity_ids=commodity_ids, date=date
    )
