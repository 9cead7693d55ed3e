"""Scenario -> world -> network -> run, owned in one place (:class:`Pipeline`).

The shells (CLI, web, claims, briefs) ask a :class:`Pipeline` for a scenario by name, the world
it runs on, the networks of that world, a run, a comparison or an ensemble; the pipeline keeps
one cache of worlds and networks, keyed by what they are built from.
"""

from caravan.pipeline.study import Pipeline, run_scenario, scenario_key, scenario_skims

__all__ = ["Pipeline", "run_scenario", "scenario_key", "scenario_skims"]
