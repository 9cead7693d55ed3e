"""The layers run one way: a lower layer never imports a higher one (docs/architecture.md).

Every ``import`` and ``from ... import`` in ``src/caravan`` is read with :mod:`ast` (those inside
functions and under ``TYPE_CHECKING`` too), and each import of another caravan package is held
against the layer table below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parents[1] / "src" / "caravan"

#: Layer of each top-level package or module of caravan, bottom (0) to top. A module may
#: import from its own layer and the layers below it.
LAYERS: dict[str, int] = {
    "errors": 0,
    "model": 0,
    "io": 1,
    "network": 2,
    "routing": 3,
    "assign": 3,
    "security": 3,
    "results": 4,
    "ensemble": 5,
    "calibration": 5,
    "pipeline": 6,
    "claims": 7,
    "validation": 7,
    "briefs": 7,
    "web": 7,
    "cli": 7,
}

#: Imports a package may not make even though they point down: the kernels see arrays only.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "routing": ("caravan.io", "caravan.model.atlas", "caravan.model.scenario"),
    "assign": ("caravan.io", "caravan.model.atlas", "caravan.model.scenario"),
    "model": ("caravan.io",),
}


def _package(module: str) -> str:
    return module.split(".")[1]


def _imports(path: Path, src: Path) -> list[tuple[str, int]]:
    package = path.relative_to(src.parent).with_suffix("").parts[:-1]
    return imports_of(path.read_text(encoding="utf-8"), package)


def imports_of(source: str, package: tuple[str, ...]) -> list[tuple[str, int]]:
    """The caravan modules that ``source`` (a module of ``package``) imports, with lines."""
    tree = ast.parse(source)
    out: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if not node.level:
                out.append((node.module or "", node.lineno))
                continue
            base = package[: len(package) - node.level + 1]
            if node.module:
                out.append((".".join((*base, node.module)), node.lineno))
            else:  # from . import a, b: the modules a and b of the package
                out += [(".".join((*base, alias.name)), node.lineno) for alias in node.names]
    return [(name, line) for name, line in out if name.startswith("caravan.")]


def _modules(src: Path = SRC) -> list[Path]:
    return sorted(p for p in src.rglob("*.py") if p.parent != src or p.stem == "errors")


def violations(src: Path = SRC) -> dict[tuple[str, str], str]:
    """(importing file, imported module) -> what rule it breaks, for the package at ``src``."""
    found: dict[tuple[str, str], str] = {}
    for path in _modules(src):
        rel = path.relative_to(src.parent).as_posix()
        own = path.relative_to(src).parts[0].removesuffix(".py")
        if own not in LAYERS:
            raise AssertionError(f"{rel}: package {own!r} has no layer; add it to LAYERS")
        for name, line in _imports(path, src):
            other = _package(name)
            if other not in LAYERS:
                continue
            if LAYERS[other] > LAYERS[own]:
                found[(rel, name)] = (
                    f"{rel}:{line} ({own}, layer {LAYERS[own]}) imports {name} "
                    f"({other}, layer {LAYERS[other]})"
                )
            for banned in FORBIDDEN.get(own, ()):
                if name == banned or name.startswith(banned + "."):
                    found[(rel, name)] = f"{rel}:{line} ({own}) may not import {name}"
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.relative_to(SRC).parts[0].removesuffix(".py") for p in _modules()}
    assert packages <= set(LAYERS)


def test_no_lower_layer_imports_a_higher_one() -> None:
    found = violations()
    assert not found, "imports that run up the layers:\n" + "\n".join(sorted(found.values()))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from caravan.results.runs import run_scenario\n", ["caravan.results.runs"]),
        ("def f():\n    import caravan.cli\n", ["caravan.cli"]),
        ("from . import spec\n", ["caravan.model.spec"]),
        ("from ..io.atlas import load_atlas\n", ["caravan.io.atlas"]),
        ("import numpy\n", []),
    ],
)
def test_imports_are_read_everywhere(source: str, expected: list[str]) -> None:
    assert [name for name, _ in imports_of(source, ("caravan", "model"))] == expected


def test_an_upward_import_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(LAYERS, "results", 0)  # results below the network it reads
    found = violations().values()
    assert any("(results, layer 0) imports caravan.network" in why for why in found)


def _plant(root: Path, files: dict[str, str]) -> Path:
    """A copy of caravan's package layout under ``root`` holding only ``files``."""
    src = root / "caravan"
    for rel, text in {"errors.py": "", **files}.items():
        path = src / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return src


def test_a_planted_upward_import_fails_the_check(tmp_path: Path) -> None:
    src = _plant(
        tmp_path,
        {
            "io/reader.py": "from caravan.claims.model import Claim\n",
            "model/records.py": "def f():\n    from ..results import runs\n",
            "assign/kernel.py": "import caravan.io.atlas\n",
            "network/build.py": "from caravan.model.records import f\n",
        },
    )
    found = violations(src)
    assert set(found) == {
        ("caravan/io/reader.py", "caravan.claims.model"),
        ("caravan/model/records.py", "caravan.results"),
        ("caravan/assign/kernel.py", "caravan.io.atlas"),
    }
    assert "caravan/io/reader.py:1 (io, layer 1) imports caravan.claims.model" in str(found)
