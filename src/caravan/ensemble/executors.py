"""Where draws run: in this process, a local process pool, or a Dask cluster — one code path.

Every executor evaluates the same chunks of draw indices with the same function
(:func:`~caravan.ensemble.evaluate.evaluate_chunk`) on the same compiled inputs, sent to each
worker once: the pool's initializer receives them, Dask scatters them to every worker. Results
are sorted by draw index, so the tables do not depend on the executor or on completion order.
"""

from __future__ import annotations

import enum
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed

from caravan.ensemble.compile import EnsembleInputs
from caravan.ensemble.evaluate import DrawResult, evaluate_chunk
from caravan.errors import ClusterError, InputError

__all__ = ["Executor", "batch_draws", "draw_chunks", "run_draws"]

#: Fewest draws per unit of work (and the unit in this process, where it sets how often
#: progress is reported).
CHUNK_DRAWS = 25
#: Units of work per worker: workers take draws in a few large batches, so the cost of sending a
#: task and its results (about a millisecond with a process pool, several with Dask) is paid a
#: few times per worker rather than once per 25 draws, while a worker that finishes early can
#: still take another batch.
BATCHES_PER_WORKER = 4

# The compiled inputs of a pool worker process, set once by the pool's initializer.
_WORKER_INPUTS: list[EnsembleInputs] = []


class Executor(enum.StrEnum):
    """Where the draws run."""

    IN_PROCESS = "in-process"
    PROCESS = "process"
    DASK = "dask"


def _init_worker(inputs: EnsembleInputs) -> None:
    _WORKER_INPUTS[:] = [inputs]


def _pool_chunk(draw_indices: Sequence[int]) -> list[DrawResult]:
    return evaluate_chunk(_WORKER_INPUTS[0], draw_indices)


def batch_draws(n_draws: int, workers: int) -> int:
    """Draws per task sent to ``workers`` workers.

    Examples
    --------
    >>> batch_draws(20_000, 2), batch_draws(100, 2)
    (2500, 25)
    """
    return max(CHUNK_DRAWS, -(-n_draws // (BATCHES_PER_WORKER * max(1, workers))))


def _chunks(n_draws: int, size: int) -> list[list[int]]:
    return [list(range(i, min(i + size, n_draws))) for i in range(0, n_draws, size)]


def draw_chunks(n_draws: int, executor: Executor | str, workers: int) -> list[list[int]]:
    """The draw indices of each task ``run_draws`` makes for ``executor`` and ``workers``.

    In this process the draws run in chunks of :data:`CHUNK_DRAWS` (progress is reported after
    each); a pool or a Dask cluster gets :func:`batch_draws` draws per task.

    Examples
    --------
    >>> len(draw_chunks(2000, "in-process", 1)), len(draw_chunks(2000, "process", 2))
    (80, 8)
    """
    if Executor(executor) is Executor.IN_PROCESS:
        return _chunks(n_draws, CHUNK_DRAWS)
    return _chunks(n_draws, batch_draws(n_draws, workers))


def _in_process(inputs: EnsembleInputs, chunks: list[list[int]]) -> Iterator[list[DrawResult]]:
    for chunk in chunks:
        yield evaluate_chunk(inputs, chunk)


def _process_pool(
    inputs: EnsembleInputs, chunks: list[list[int]], workers: int
) -> Iterator[list[DrawResult]]:
    import multiprocessing

    # Forked workers inherit the compiled inputs and the imported modules, so a pool starts in a
    # fraction of a second; spawned ones re-import everything (about a second each). Fork where
    # the platform offers it safely (Linux), spawn elsewhere.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_worker, initargs=(inputs,)
    ) as pool:
        futures = [pool.submit(_pool_chunk, chunk) for chunk in chunks]
        for future in as_completed(futures):
            yield future.result()


def _dask(
    inputs: EnsembleInputs,
    chunks: list[list[int]],
    *,
    workers: int,
    scheduler: str | None,
) -> Iterator[list[DrawResult]]:
    from dask.distributed import Client, LocalCluster
    from dask.distributed import as_completed as dask_completed

    cluster = None
    if scheduler is None:
        try:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
        except (OSError, RuntimeError) as exc:
            raise ClusterError(
                f"could not start a local Dask cluster of {workers} worker(s) ({exc}); run "
                "without --local-cluster (a process pool of the same workers) or --in-process"
            ) from None
        client = Client(cluster)
    else:
        if not scheduler.strip():  # Client("") would quietly start a cluster of its own
            raise InputError(
                "the Dask scheduler address is empty; give one such as tcp://host:8786"
            )
        try:
            client = Client(scheduler)
        except ValueError as exc:
            raise InputError(
                f"{scheduler!r} is not a Dask scheduler address ({exc}); give one such as "
                "tcp://host:8786"
            ) from None
        except OSError as exc:
            raise ClusterError(
                f"could not reach the Dask scheduler at {scheduler!r} ({exc}); check that "
                "`dask scheduler` runs there, or drop --scheduler to use a process pool"
            ) from None
    try:
        shared = client.scatter(inputs, broadcast=True)
        futures = client.map(evaluate_chunk, [shared] * len(chunks), chunks, pure=False)
        for future in dask_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_draws(
    inputs: EnsembleInputs,
    *,
    executor: Executor | str = Executor.PROCESS,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[DrawResult]:
    """Evaluate ``inputs.spec.draws`` draws and return them in draw order.

    Parameters
    ----------
    inputs : EnsembleInputs
        The compiled scenario(s) and the inputs to draw.
    executor : {"in-process", "process", "dask"}
        Where to run. ``dask`` connects to ``scheduler`` when given, else starts a local
        cluster of ``workers`` processes.
    workers : int, optional
        Worker processes (default: the machine's cores).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``).
    progress : callable, optional
        Called with ``(draws_done, draws_total)``.
    """
    try:
        kind = Executor(executor)
    except ValueError:
        choices = ", ".join(e.value for e in Executor)
        raise InputError(f"unknown executor {executor!r}; use one of: {choices}") from None
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    if n_workers < 1:
        raise InputError(f"workers must be at least 1, got {n_workers}")
    n_draws = inputs.spec.draws
    chunks = draw_chunks(n_draws, kind, n_workers)
    stream: Iterator[list[DrawResult]]
    if kind is Executor.IN_PROCESS:
        stream = _in_process(inputs, chunks)
    elif kind is Executor.PROCESS:
        stream = _process_pool(inputs, chunks, n_workers)
    else:
        stream = _dask(inputs, chunks, workers=n_workers, scheduler=scheduler)
    results: list[DrawResult] = []
    for batch in stream:
        results += batch
        if progress is not None:
            progress(len(results), n_draws)
    results.sort(key=lambda r: r.draw_idx)
    return results
