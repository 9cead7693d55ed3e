"""Routes computed in worker processes answer exactly what the threads answer."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from caravan.errors import InputError
from caravan.web import Limits, create_app
from tests.web.helpers import api_error


def test_route_processes_answer_as_the_threads_do(web_atlas: Path, client: TestClient) -> None:
    app = create_app(atlas_path=web_atlas, limits=Limits(route_processes=1))
    pool = app.state.caravan.route_pool
    assert pool is not None and pool.processes == 1
    queries = [
        {"from": "Amber", "to": "dune", "k": 2},
        {"from": "amber", "to": "dune", "year": 2030, "open": "Cobalt Link"},
    ]
    with TestClient(app, base_url="http://127.0.0.1") as in_pool:
        for started in pool.start():  # on a busy machine, starting may take a while
            assert started.result(timeout=300)
        for query in queries:
            got = in_pool.get("/api/route", params=query)
            want = client.get("/api/route", params=query)
            assert got.status_code == want.status_code == 200
            assert got.content == want.content
        # A library error in a worker comes back as the same API error.
        error = api_error(
            in_pool.get("/api/route", params={"from": "amber", "to": "dune", "commodity": "coal"}),
            404,
        )
        assert error["kind"] == "not_found"
        workers = list(pool._pool()._processes.values())
        assert workers and all(w.is_alive() for w in workers)
    # Stopping the app stops its workers.
    for worker in workers:
        worker.join(timeout=10)
        assert not worker.is_alive(), os.getpid()


def test_route_processes_are_bounded() -> None:
    with pytest.raises(InputError, match="route_processes"):
        Limits(route_processes=-1)


def test_a_repeated_route_request_is_answered_from_the_cache_alone(web_atlas: Path) -> None:
    app = create_app(atlas_path=web_atlas)
    state = app.state.caravan
    with TestClient(app, base_url="http://127.0.0.1") as client:
        query = {"from": "Amber", "to": "dune", "k": 2}
        first = client.get("/api/route", params=query)
        assert first.status_code == 200

        def refuse(*args: object, **kwargs: object) -> None:
            raise AssertionError("computed again")

        state.route_jobs.submit = refuse
        again = client.get("/api/route", params=query)
        assert again.status_code == 200 and again.content == first.content
        assert again.headers["content-type"] == "application/json"
        assert again.headers["x-content-type-options"] == "nosniff"  # the outer middlewares ran
        # Another spelling of the same query resolves to the same cached answer.
        assert client.get("/api/route", params={**query, "from": "amber"}).content == first.content
        # An error is never remembered: the endpoint answers it again each time.
        for _ in range(2):
            api_error(client.get("/api/route", params={"from": "Ambr", "to": "dune"}), 404)
        # The host check still applies to cached answers.
        assert (
            client.get("/api/route", params=query, headers={"host": "evil.example"}).status_code
            == 400
        )
