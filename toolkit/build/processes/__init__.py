"""The process machinery of a draft: where a kernel comes from, and every process that is started.

Rendering (:mod:`toolkit.build.render`) reaches this package through one seam only, a
:class:`~toolkit.build.processes.sources.KernelSource` its caller chooses and passes in; the
import-linter contract "Rendering reaches the process machinery only through its kernel sources"
(pyproject.toml) holds it. Nothing here keeps configuration in a module global.

Who starts each process, and who ends it (docs/architecture.md, "Processes", says the same):

================  ==========================================  ===============================================
Process           Started by                                  Ended by
================  ==========================================  ===============================================
kernel, fresh     :class:`.sources.StartedKernels` (no fork    the same source, when the notebook has run
                  server), in a thread while the inputs are    (``shutdown_kernel(now=True)``, after a SIGKILL
                  validated                                    when the draft failed or was stopped)
kernel, forked    the same source with a fork server: the      the same source; and the fork server kills it
                  fork server forks it on the request of        when its requester's connection closes (the
                  :class:`.forked.ForkProvisioner`              requester died: a stopped batch worker)
kernel, warm      :class:`.warm.WarmKernels`, a batch          the same source: kept between reviews, shut
                  worker's, on its first review                down after a failed one or when the worker ends
batch worker      :func:`toolkit.build.batch.run_batch`         the coordinator: ``None`` on its pipe, or
                  (``multiprocessing`` spawn,                  :func:`toolkit.build.batch.stop_workers`
                  :func:`.worker.worker_main`)                 (SIGTERM to the worker, SIGKILL to its kernels,
                                                               both its own children and those forked for it:
                                                               :meth:`.forkserver.ServerProcess.kernels_of`)
round's fork      :class:`.forkserver.ServerProcess`, by        ``ServerProcess.close`` at the round's end
server            ``run_batch`` for a round of fresh kernels   (SIGTERM; it exits once its kernels have ended),
                                                               or itself when the round's process is gone
                                                               (``--parent``)
drafting daemon   :func:`.daemon.start`, by the                itself after :data:`.daemon.IDLE_SECONDS`
(a fork server)   ``peer-review`` launcher that found none     without a request; ``peer-review daemon stop``
draft in the      :func:`.daemon.delegate`: the daemon forks   itself, when the command ends; the caller passes
daemon            it (:func:`.children.run_command`)            SIGINT, SIGTERM and SIGHUP on to it
================  ==========================================  ===============================================

A draft's kernel is ended in one place, the ``with`` block of its source's ``kernel()``: however
the draft ends (done, failed, timed out, stopped), leaving the block ends (or hands back) the
kernel. A stop signal stops a draft as Ctrl-C does (:mod:`toolkit.build.timelimit`); a batch
worker between reviews only notes it (:mod:`.worker`).

Modules: :mod:`.sources` (the seam), :mod:`.forked` (kernels from a fork server),
:mod:`.warm` (a kernel reused across reviews), :mod:`.forkserver` (the server),
:mod:`.protocol` (its requests), :mod:`.children` (what its children become), :mod:`.daemon`
(the drafting daemon), :mod:`.worker` (a batch worker process).
"""
