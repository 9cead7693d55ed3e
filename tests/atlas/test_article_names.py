"""The five source articles are named by author and title, never numbered as "seed N".

"seed" in the docs and the shipped atlas may only mean the random seed of an assignment or an
ensemble (``random seed 1``, the ``seed:`` key, the ``--seed`` option).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from caravan.io.atlas import load_atlas

ROOT = Path(__file__).parents[2]
ATLAS_DIR = ROOT / "src" / "caravan" / "atlas"
DOCS_DIR = ROOT / "docs"

#: Uses of the word that mean a random seed.
RANDOM_SEED = re.compile(
    r"random seeds?\b|`seed`|--seed\b|^\s*seed:\s*\d+\s*$|\"seed\"", re.IGNORECASE | re.MULTILINE
)
WORD = re.compile(r"\bseeds?\b", re.IGNORECASE)

#: The source ids of the five articles: author(s), year and subject.
ARTICLE_IDS = (
    "umarova-2025-lapis-lazuli",
    "jamal-2025-jihadist-networks",
    "umarova-2025-chabahar-gwadar",
    "turgunbaeva-ghiasi-2025-taliban-delisting",
    "fazl-e-haider-2025-wakhan-corridor",
)


def _text_files() -> list[Path]:
    files = [*ATLAS_DIR.rglob("*"), *DOCS_DIR.rglob("*")]
    return sorted(p for p in files if p.is_file() and p.suffix in {".csv", ".yaml", ".md", ".tsv"})


def test_there_are_files_to_check() -> None:
    names = {p.name for p in _text_files()}
    assert {"claims.yaml", "nodes.csv", "scenarios.md", "claims.md"} <= names


@pytest.mark.parametrize("path", _text_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_seed_means_only_a_random_seed(path: Path) -> None:
    text = RANDOM_SEED.sub("", path.read_text(encoding="utf-8"))
    bad = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, m.start()) + 1}: "
        f"{text[max(0, m.start() - 40) : m.end() + 40]!r}"
        for m in WORD.finditer(text)
    ]
    assert not bad, "name the article by author and title, not 'seed':\n" + "\n".join(bad)


def test_the_pattern_catches_an_article_number() -> None:
    assert WORD.search(RANDOM_SEED.sub("", "as Seed 3 says (seed-2); random seed 1"))
    assert not WORD.search(RANDOM_SEED.sub("", "500 draws, random seed 1; --seed 4\n  seed: 1\n"))


def test_the_five_articles_have_author_year_subject_ids() -> None:
    atlas = load_atlas()
    for source_id in ARTICLE_IDS:
        source = atlas.source(source_id)
        assert source.kind == "article"
        assert source.author is not None
        surname = source.author.split(";")[0].split()[-1].lower()
        assert source_id.startswith(surname), (source_id, source.author)
        year = re.search(r"-(\d{4})-", source_id)
        assert year is not None and str(source.date).startswith(year.group(1)), source_id
