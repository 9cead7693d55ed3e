"""Checking a security layer: every problem at once, each with file, row, field and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.errors import AtlasValidationError
from caravan.security.files import read_security, security_problems
from tests.security._atlas import EVENTS, make_security_atlas


def test_the_test_layer_is_clean(tmp_path: Path) -> None:
    data = read_security(make_security_atlas(tmp_path / "atlas"))
    assert (len(data.actors), len(data.relations), len(data.events)) == (3, 2, 2)
    assert data.relations[0].relation_id == "taliban-shelters-ttp"


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    sec = atlas / "security"
    with (sec / "relations.yaml").open("a") as fh:
        fh.write(
            "- subject: taliban\n  predicate: befriends\n  object: ttp\n"
            "  source_ids: [fixture]\n  quote: x\n"
            "- subject: talibann\n  predicate: funds\n  object: ttp\n  date: 2025-02-30\n"
            "  source_ids: [nowhere]\n  quote: x\n"
            "- subject: taliban\n  predicate: funds\n  object: isis\n"
            "  valid_from: 2025\n  valid_to: 2024\n  source_ids: [fixture]\n  quote: x\n"
        )
    (sec / "events.csv").write_text(
        EVENTS + "e-bad,2025-01-05,1,Battles,Armed clash,X,ghost,,,Afghanistan,AFG,,,95,10,1,0,1,"
        "nope,,fixture,,\n"
        + "e-strikes,2025-01-06,1,Battles,Armed clash,X,,,,Afghanistan,AFG,,,,,1,0,1,,,fixture,,\n"
    )
    problems = security_problems(atlas)
    where = {(p.file, p.row, p.field) for p in problems}
    assert ("security/relations.yaml", 3, "predicate") in where
    assert ("security/relations.yaml", 4, "date") in where  # 30 February
    assert ("security/relations.yaml", 5, "valid_to") in where  # ends before it starts
    assert ("security/events.csv", 4, "latitude") in where  # 95
    assert ("security/events.csv", 5, "event_id") in where  # duplicate
    with pytest.raises(AtlasValidationError) as info:
        read_security(atlas)
    assert len(info.value.problems) == len(problems)
    assert all(p.fix for p in problems)


def test_unknown_actors_and_sources(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    sec = atlas / "security"
    with (sec / "relations.yaml").open("a") as fh:
        fh.write(
            "- subject: talibann\n  predicate: funds\n  object: ttp\n"
            "  source_ids: [nowhere]\n  quote: x\n"
        )
    (sec / "events.csv").write_text(
        EVENTS + "e-3,2025-01-05,1,Battles,Armed clash,X,ghost,,,Afghanistan,AFG,,,,,1,0,1,"
        "nope,,fixture,,\n"
    )
    problems = security_problems(atlas)
    messages = {(p.file, p.row, p.field): p.message for p in problems}
    assert "did you mean 'taliban'" in messages[("security/relations.yaml", 3, "subject")]
    assert "unknown source 'nowhere'" in messages[("security/relations.yaml", 3, "source_ids")]
    assert "unknown actor 'ghost'" in messages[("security/events.csv", 4, "actor1_id")]
    assert "unknown event 'nope'" in messages[("security/events.csv", 4, "covered_by")]


def test_missing_files_and_bad_yaml(tmp_path: Path) -> None:
    atlas = make_security_atlas(tmp_path / "atlas")
    (atlas / "security" / "relations.yaml").unlink()
    (atlas / "security" / "actors.yaml").write_text("- actor_id: [unclosed\n")
    problems = security_problems(atlas)
    files = {p.file for p in problems}
    assert {"security/relations.yaml", "security/actors.yaml"} <= files


def test_an_atlas_without_a_security_folder_has_an_empty_layer(tmp_path: Path) -> None:
    assert read_security(tmp_path).events == ()
    assert security_problems(tmp_path) == []


def test_a_record_that_is_not_a_mapping_is_reported_by_its_position() -> None:
    from caravan.security.validate import parse_actors, parse_relations, parse_sources

    for parse in (parse_sources, parse_actors, parse_relations):
        records, problems = parse([None, "just text"])
        assert records == []
        assert [(p.row, p.field, p.message) for p in problems] == [
            (1, None, "expected a mapping"),
            (2, None, "expected a mapping"),
        ]
