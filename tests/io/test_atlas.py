"""Reading atlas folders: typed tables, every problem collected, and no traceback on any input."""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.errors import AtlasValidationError, InputError
from caravan.io.atlas import ATLAS_FILES, load_atlas, read_atlas_tables, shipped_atlas_path
from caravan.model.atlas import Atlas

from ..conftest import TINY_ATLAS

FILES = sorted(p.name for p in TINY_ATLAS.iterdir())


def test_tiny_atlas_has_every_file() -> None:
    # tariffs.yaml is optional: without it links take their mode defaults from modes.yaml
    assert set(ATLAS_FILES) - {"tariffs.yaml"} <= set(FILES)


def test_tables_keep_line_numbers(tiny_path: Path) -> None:
    tables, problems, digest = read_atlas_tables(tiny_path)
    assert problems == []
    assert len(digest) == 64
    links = tables["links.csv"]
    assert list(links["_line"]) == list(range(2, 11))
    assert [r["_line"] for r in tables["projects.yaml"]] == [1, 2, 3]
    assert tables["atlas.yaml"]["name"] == "Tiny test atlas"


def test_digest_changes_with_content(tiny_copy: Path, tiny_path: Path) -> None:
    before = read_atlas_tables(tiny_path)[2]
    (tiny_copy / "nodes.csv").write_text(
        (tiny_copy / "nodes.csv").read_text(encoding="utf-8").replace("Kandahar,Qandahar", "K,Q"),
        encoding="utf-8",
    )
    assert read_atlas_tables(tiny_copy)[2] != before


def test_missing_folder_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_atlas(tmp_path / "nowhere")


def test_a_file_is_not_a_folder(tiny_path: Path) -> None:
    with pytest.raises(InputError):
        load_atlas(tiny_path / "nodes.csv")


def test_empty_folder_lists_every_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(tmp_path)
    missing = {p.file for p in info.value.problems if "missing" in p.message}
    assert {"nodes.csv", "links.csv", "sources.yaml", "atlas.yaml"} <= missing
    assert "restrictions.yaml" not in missing  # optional


def test_optional_files_may_be_absent(tiny_copy: Path) -> None:
    for name in ("restrictions.yaml", "zones.yaml", "demand.csv"):
        (tiny_copy / name).unlink()
    atlas = load_atlas(tiny_copy)
    assert atlas.restrictions == () and atlas.zones == () and atlas.demand.empty


def test_default_is_the_shipped_atlas() -> None:
    assert shipped_atlas_path().name == "trans-eurasia"
    assert shipped_atlas_path().parent.name == "atlas"


def test_crlf_and_bom_are_accepted(tiny_copy: Path) -> None:
    path = tiny_copy / "nodes.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert len(load_atlas(tiny_copy).nodes) == 8


@pytest.mark.parametrize("name", FILES)
def test_truncated_file_gives_errors(tiny_copy: Path, name: str) -> None:
    path = tiny_copy / name
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(AtlasValidationError) as info:
        load_atlas(tiny_copy)
    assert info.value.problems


# -- fuzzing ----------------------------------------------------------------------------------

_ORIGINAL = {name: (TINY_ATLAS / name).read_bytes() for name in FILES}


def _mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    lines = data.splitlines(keepends=True)
    where = rng.randrange(max(1, len(data)))
    if kind == "truncate":
        return data[:where]
    if kind == "flip":
        return data[:where] + bytes([rng.randrange(256)]) + data[where + 1 :]
    if kind == "invalid-utf8":
        return data[:where] + rng.choice([b"\xff", b"\xc3", b"\xe2\x82", b"\x80"]) + data[where:]
    if kind == "delete-line" and lines:
        del lines[rng.randrange(len(lines))]
    elif kind == "duplicate-line" and lines:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    elif kind == "swap-lines" and len(lines) > 1:
        i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
        lines[i], lines[j] = lines[j], lines[i]
    elif kind == "yaml-garbage":
        garbage = [b"- [\n", b": :\n", b"{a: 1\n", b"&x *y\n", b"- !!python/object:os.system\n"]
        lines.insert(rng.randrange(len(lines) + 1), rng.choice(garbage))
    elif kind == "empty":
        return b""
    return b"".join(lines)


_KINDS = [
    "truncate",
    "flip",
    "invalid-utf8",
    "delete-line",
    "duplicate-line",
    "swap-lines",
    "yaml-garbage",
    "empty",
]


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "atlas"
        shutil.copytree(TINY_ATLAS, target)
        yield target


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    names=st.lists(st.sampled_from(FILES), min_size=1, max_size=3, unique=True),
    kind=st.sampled_from(_KINDS),
    seed=st.integers(0, 2**32 - 1),
)
def test_fuzzed_atlas_gives_errors_never_tracebacks(
    scratch: Path, names: list[str], kind: str, seed: int
) -> None:
    rng = random.Random(seed)
    try:
        for name in names:
            (scratch / name).write_bytes(_mutate(_ORIGINAL[name], kind, rng))
        try:
            atlas = load_atlas(scratch)
        except (AtlasValidationError, InputError) as exc:
            assert str(exc)
        else:  # some mutations are harmless (a byte flipped inside a note)
            assert isinstance(atlas, Atlas)
            atlas.summary()
            atlas.links_gdf()
    finally:
        for name in names:
            (scratch / name).write_bytes(_ORIGINAL[name])


def test_a_lane_row_must_name_a_water_link_of_its_mode(tiny_copy: Path) -> None:
    (tiny_copy / "tariffs.yaml").write_text(
        "payload: {t_per_feu: 20}\n"
        "lanes:\n"
        "  - {mode: sea, link_ids: [no-such-lane], usd_per_t: 10, dwell_h: 24}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no-such-lane") as info:
        load_atlas(tiny_copy)
    assert "lanes.link_ids" in str(info.value)
