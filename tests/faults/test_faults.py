"""Every planted fault of the reliability issues ends in a clear error, in every command.

Each fault of :mod:`tests.faults.catalogue` is planted into a fresh copy of the shipped atlas and
each command that reads what it breaks is run in-process: the outcome must be a clear error
(exit code 2, a short message, no traceback, no "this is a bug") that names what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.faults.catalogue import FAULTS, Fault
from tests.faults.outcome import CLEAR, command_args, planted_copy, run_in_process

CASES = [
    pytest.param(fault, command, id=f"{fault.fault_id}-{command}")
    for fault in FAULTS
    for command in fault.commands
]


@pytest.mark.parametrize(("fault", "command"), CASES)
def test_fault_is_a_clear_error(tmp_path: Path, fault: Fault, command: str) -> None:
    atlas = planted_copy(tmp_path)
    fault.plant(atlas)
    outcome, output = run_in_process(
        command_args(command, atlas, fault.scenario), env=fault.env, timeout_s=60
    )
    assert outcome == CLEAR, f"{outcome}:\n{output[:3000]}"
    assert _squeeze(fault.fragment) in _squeeze(output), output[:3000]


def _squeeze(text: str) -> str:
    """Text without spaces and table rules (tables wrap long messages)."""
    return re.sub(r"[\s│┃]+", "", text)
