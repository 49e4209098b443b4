"""Running a batch on a Dask cluster (`vng-xl recalc --scheduler ADDRESS`): the same `run_job` per
file, submitted through the cluster's concurrent.futures executor. The workers need vng_xl installed
and must see the files at the same absolute paths (a shared file system)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from pathlib import Path

from vng_xl.errors import BadParameter
from vng_xl.recalc import RecalcOutcome
from vng_xl.recalc.batch import Job

#: Seconds to wait for the scheduler to answer before refusing the address.
CONNECT_SECONDS = 10.0


def connect(address: str, timeout: float | None = None):
    """A dask.distributed Client of the scheduler at `address`; BadParameter (one line) when
    dask.distributed is not installed or no scheduler answers there."""
    try:
        import distributed
    except ImportError:
        raise BadParameter(
            argument="--scheduler",
            reason_nl="vraagt dask.distributed: pip install 'vng_xl[dask]'",
            reason_en="needs dask.distributed: pip install 'vng_xl[dask]'",
        ) from None
    seconds = CONNECT_SECONDS if timeout is None else timeout
    try:
        asyncio.run(_answers(address, seconds))  # first, so that a failed Client leaves no noise at exit
        return distributed.Client(address, timeout=seconds, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        raise BadParameter(
            argument=f"--scheduler {address}",
            reason_nl=f"geen Dask-scheduler bereikbaar op dit adres ({detail})",
            reason_en=f"no Dask scheduler answers at this address ({detail})",
        ) from None


async def _answers(address: str, seconds: float) -> None:
    """Raise unless a Dask comm at the address completes the handshake within the seconds."""
    from distributed.comm import connect

    comm = await asyncio.wait_for(connect(address, timeout=seconds), seconds + 1)
    await comm.close()


def absolute(jobs: list[Job]) -> list[Job]:
    """The jobs with absolute paths, as a worker elsewhere needs them."""

    def full(p: Path | None) -> Path | None:
        return None if p is None else Path(p).absolute()

    return [dataclasses.replace(j, src=full(j.src), dst=full(j.dst), backup=full(j.backup)) for j in jobs]


def as_given(jobs: list[Job]) -> Callable[[RecalcOutcome], RecalcOutcome]:
    """A function that makes an outcome of the absolute jobs name its files as the command line
    named them (in place), as a local run does."""
    given = {str(Path(j.src).absolute()): j for j in jobs}

    def rename(outcome: RecalcOutcome) -> RecalcOutcome:
        job = given.get(outcome.path)
        if job is not None:
            outcome.path = str(job.src)
            if outcome.output is not None:
                outcome.output = str(job.dst)
        return outcome

    return rename
