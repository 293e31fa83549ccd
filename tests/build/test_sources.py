"""The kernel sources behind ``build_report``: the one the caller passes is the one used, and the
source, not the draft, ends the kernel however the draft ends (built, refused, failed)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from multiprocessing import Pipe
from pathlib import Path
from typing import Any

import psutil
import pytest

from toolkit.build.processes.sources import Kernel, KernelSource, StartedKernels, kernel_source
from toolkit.build.processes.warm import WarmKernels
from toolkit.build.processes.worker import _next_job, _StopNoted
from toolkit.build.render import draft
from toolkit.errors import ValidationFailed


class Watched:
    """A real source, passed through: notes each lent kernel's process id while the draft has it."""

    def __init__(self, inner: KernelSource) -> None:
        self.inner = inner
        self.pids: list[int] = []

    @contextmanager
    def kernel(self, kernel_name: str, cwd: Path) -> Iterator[Kernel]:
        with self.inner.kernel(kernel_name, cwd) as lent:
            km = lent.manager()
            self.pids.append(km.provisioner.pid if km is not None else 0)
            yield lent


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def _break(data: dict[str, Any]) -> None:
    data["no_such_field"] = True


@pytest.mark.slow
def test_a_fresh_kernel_ends_when_the_draft_is_built_and_when_it_is_refused(
        mini: Path, edit_params: Callable[..., Path]) -> None:
    source = Watched(StartedKernels())
    result = draft(mini, kernels=source)
    assert result.letter.is_file()
    edit_params(mini, _break)
    with pytest.raises(ValidationFailed):
        draft(mini, kernels=source)  # the kernel was started beside the validation that refused it
    assert len(source.pids) == 2 and all(pid > 0 for pid in source.pids)
    assert all(_gone(pid) for pid in source.pids)


@pytest.mark.slow
def test_a_warm_kernel_is_kept_across_drafts_and_ended_by_its_source(
        mini: Path, edit_params: Callable[..., Path]) -> None:
    warm = WarmKernels()
    source = Watched(warm)
    try:
        first = draft(mini, mini.parents[1] / "one", kernels=source).folder
        second = draft(mini, mini.parents[1] / "two", kernels=source).folder
        assert source.pids[0] == source.pids[1]  # the same kernel, reset
        assert {p.name: p.read_bytes() for p in first.iterdir()} == {p.name: p.read_bytes() for p in second.iterdir()}
        edit_params(mini, _break)
        with pytest.raises(ValidationFailed):
            draft(mini, kernels=source)
        assert not _gone(source.pids[0])  # refused before the notebook ran: kept
    finally:
        warm.close()
    assert _gone(source.pids[0])


def test_the_cli_forks_from_the_daemon_only_when_it_runs_in_one() -> None:
    chosen = kernel_source({"fork_server": "/run/peer-review/k.sock"})
    assert isinstance(chosen, StartedKernels) and chosen.fork_server == "/run/peer-review/k.sock"
    for context_object in (None, {}, {"fork_server": 3}):
        anew = kernel_source(context_object)
        assert isinstance(anew, StartedKernels) and anew.fork_server == ""


def test_a_stop_between_reviews_is_noted_and_wakes_the_worker() -> None:
    stop = _StopNoted()
    here, there = Pipe()
    saved = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        stop.between_reviews()
        signal.raise_signal(signal.SIGTERM)  # the handler only notes it: nothing is raised here
        assert stop.requested
        assert _next_job(there, stop) is None  # woken, and told to stop, with no job on the pipe
    finally:
        signal.signal(signal.SIGTERM, saved[0])
        signal.signal(signal.SIGINT, saved[1])
        here.close()
        there.close()
        os.close(stop.wake_r)
        os.close(stop.wake_w)
