"""Mutation fuzzing (hypothesis) of the atlas readers and the scenario reader.

Every mutation must end in a clear error or a harmless acceptance: never a traceback, a hang,
a runaway message, or a planted bad number read without complaint. ``benchmarks/fuzz.py`` runs
10,000 such cases and prints the counts.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.io.atlas import load_atlas, shipped_atlas_path
from caravan.io.scenario import load_scenario
from caravan.model.atlas import Atlas
from caravan.model.scenario import apply_scenario
from tests.faults.mutate import NASTY, OPERATIONS, Mutation, apply_mutation, classify

TINY = Path(__file__).parents[1] / "data" / "tiny-atlas"
ATLAS_FILES = sorted(p.name for p in TINY.iterdir() if p.suffix in (".csv", ".yaml"))
SCENARIOS = ("kabul-corridor", "baseline-2025", "iran-disruption", "five-nations")
GOOD = {"clear error", "accepted"}


def mutations(files: list[str]) -> st.SearchStrategy[Mutation]:
    return st.builds(
        Mutation,
        file=st.sampled_from(files),
        operation=st.sampled_from(OPERATIONS),
        position=st.floats(0, 1),
        column=st.floats(0, 1),
        value=st.one_of(st.sampled_from(NASTY), st.text(max_size=30)),
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(m=mutations(ATLAS_FILES))
def test_atlas_reader_survives_mutations(
    tmp_path_factory: pytest.TempPathFactory, m: Mutation
) -> None:
    folder = tmp_path_factory.mktemp("fuzz") / "atlas"
    shutil.copytree(TINY, folder)
    refuse = apply_mutation(folder, m)
    outcome = classify(lambda: load_atlas(folder), refuse=refuse)
    assert outcome in GOOD, (outcome, m)


@pytest.fixture(scope="module")
def shipped_copy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Atlas]:
    folder = tmp_path_factory.mktemp("fuzz-scenarios") / "atlas"
    shutil.copytree(shipped_atlas_path(), folder)
    return folder, load_atlas(folder)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(m=mutations([f"scenarios/{s}.yaml" for s in SCENARIOS]))
def test_scenario_reader_survives_mutations(shipped_copy: tuple[Path, Atlas], m: Mutation) -> None:
    folder, atlas = shipped_copy
    original = (folder / m.file).read_bytes()
    try:
        refuse = apply_mutation(folder, m)
        name = Path(m.file).stem
        outcome = classify(lambda: apply_scenario(atlas, load_scenario(name, atlas)), refuse=refuse)
    finally:
        (folder / m.file).write_bytes(original)
    assert outcome in GOOD, (outcome, m)
