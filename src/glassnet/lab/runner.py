"""Running trials: settings x seeds, in worker processes or on a Dask cluster, each stored once.

``plan`` expands experiments into trials; ``run`` loads what ``TrialStore`` already holds and
runs the rest: in this process (``jobs=1``), in a pool of ``jobs`` worker processes, or on the
Dask scheduler at ``scheduler`` (distributed's own ``Client``). Each finished trial is saved
as soon as it arrives, so an interrupted run loses only the trials that were running.

Every trial runs with one BLAS thread (small products are faster on one thread here, and the
numbers must not depend on the thread count), float32 and the global seed set to its seed:
the same trial gives bit-identical metrics in any process, on any worker.
"""
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
import sys
import time

from .. import __version__
from .store import Trial, TrialStore, to_json_data


def plan(experiments, seeds, quick=False):
    """The trials of ``experiments``: every config x seeds 0..seeds-1 (one seed for a
    config marked ``deterministic``), in catalogue order."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"--seeds must be a positive integer, got {seeds!r}.")
    trials = []
    for experiment in experiments:
        for config in experiment.configs(quick):
            count = 1 if config.get("deterministic") else seeds
            trials.extend(Trial(experiment.id, config, seed) for seed in range(count))
    return trials


def run_trial(experiment_id, config, seed):
    """Run one trial here and return its record (called inside workers)."""
    from .. import config as glassnet_config, naming, utils
    from .experiments import find
    experiment = find(experiment_id)
    with _one_blas_thread():
        glassnet_config.set_floatx("float32")
        naming.reset()
        utils.set_random_seed(seed)
        result = experiment.trial(dict(config), seed)
    trial = Trial(experiment_id, config, seed)
    return to_json_data({"experiment": experiment_id, "config": config, "seed": seed,
                         "glassnet": __version__, "key": trial.key, **result})


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        raise ImportError("The lab runs every trial on one BLAS thread and needs threadpoolctl: "
                          "pip install 'glassnet[lab]'.") from None
    return threadpool_limits(limits=1)


def _run_spec(spec):
    return run_trial(*spec)


def run(trials, out_dir, jobs=None, scheduler=None, progress=None):
    """Run the ``trials`` not stored under ``out_dir`` yet; return (records, run, reused).

    ``records`` follow the order of ``trials``. ``progress(done, total)`` is called after
    each trial (stored or new).
    """
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ValueError(f"--jobs must be a positive integer, got {jobs!r}.")
    store = TrialStore(out_dir)
    records = {}
    for trial in trials:
        record = store.load(trial)
        if record is not None:
            records[trial.key] = record
    reused = len(records)
    missing = sorted((t for t in trials if t.key not in records), key=_cost, reverse=True)
    report = progress or (lambda done, total: None)
    report(reused, len(trials))
    for record in _execute(missing, jobs, scheduler):
        store.save(record)
        records[record["key"]] = record
        report(len(records), len(trials))
    return [records[t.key] for t in trials], len(missing), reused


def _cost(trial):
    """A rough size of a trial (passes x layers x width), to start the longest first so the
    workers finish together."""
    config = trial.config
    layers = config.get("depth") or len(config.get("hidden", ())) or 1
    width = config.get("width") or max(config.get("hidden", ()), default=64)
    passes = config.get("epochs") or config.get("iterations", 40) / 40
    return passes * layers * width


def _execute(trials, jobs, scheduler):
    """Yield the records of ``trials`` as they finish."""
    specs = [(t.experiment, t.config, t.seed) for t in trials]
    if not specs:
        return
    if scheduler:
        yield from _execute_dask(specs, scheduler)
        return
    jobs = default_jobs() if jobs is None else jobs
    if jobs == 1 or len(specs) == 1:
        for spec in specs:
            yield _guarded(spec, _run_spec)
        return
    yield from _execute_processes(specs, min(jobs, len(specs)))


def _execute_processes(specs, workers):
    """A pool of fresh (spawned) worker processes. A worker that dies raises
    ``BrokenProcessPool`` instead of hanging; leaving early (an error, Ctrl-C, SIGTERM turned
    into SystemExit by the command) stops the workers at once."""
    context = multiprocessing.get_context("spawn")     # the same fresh start on every platform
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_watch_parent,
                                   initargs=(os.getpid(),))
    finished = False
    try:
        futures = [executor.submit(_run_spec_guarded, spec) for spec in specs]
        for future in as_completed(futures):
            yield future.result()
        finished = True
    finally:
        if finished:
            executor.shutdown(wait=True)
        else:
            _stop(executor)


def _watch_parent(parent, interval=0.5):
    """In a worker: exit when the parent is gone (killed with SIGKILL, it cannot stop us)."""
    import threading

    def watch():
        while True:
            time.sleep(interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="glassnet-parent-watch", daemon=True).start()


def _stop(executor):
    """Cancel what has not started and end the workers now (their trials are lost, the
    stored ones stay)."""
    if hasattr(executor, "terminate_workers"):          # Python 3.14+
        executor.terminate_workers()
        return
    workers = list((getattr(executor, "_processes", None) or {}).values())   # before shutdown
    for process in workers:
        process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.join(timeout=5)


def _guarded(spec, function):
    try:
        return function(spec)
    except Exception as error:
        raise TrialError(spec, error) from error


def _run_spec_guarded(spec):
    return _guarded(spec, _run_spec)


class TrialError(RuntimeError):
    """A trial raised: the message names the trial and the original error."""

    def __init__(self, spec, error):
        self.spec = spec
        super().__init__(f"Trial {Trial(*spec).describe()} failed: "
                         f"{type(error).__name__}: {error}")

    def __reduce__(self):                       # crosses process boundaries with its message
        return RuntimeError, (str(self),)


def _execute_dask(specs, scheduler):
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ImportError("--scheduler needs Dask's distributed: pip install "
                          "'glassnet[dask]'.") from None
    try:
        client = Client(scheduler)
    except (OSError, ValueError, TypeError) as error:    # unreachable, or not an address
        raise ValueError(f"--scheduler: cannot connect to the Dask scheduler at "
                         f"{scheduler!r}: {error}") from None
    with client:
        futures = [client.submit(_run_spec_guarded, spec, pure=False,
                                 key=f"glassnet-trial-{Trial(*spec).key}") for spec in specs]
        for future in as_completed(futures):
            yield future.result()


def default_jobs():
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class ProgressBar:
    """A bar over trials on a terminal; a line every 10% elsewhere (logs stay short)."""

    def __init__(self, stream=None, width=30):
        self.stream = stream or sys.stderr
        self.width = width
        self.interactive = getattr(self.stream, "isatty", lambda: False)()
        self.start = time.perf_counter()
        self.last_tenth = -1

    def __call__(self, done, total):
        if total == 0:
            return
        elapsed = time.perf_counter() - self.start
        filled = self.width * done // total
        line = (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} trials "
                f"{elapsed:.0f}s")
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
            self.stream.flush()
        elif 10 * done // total > self.last_tenth:
            self.last_tenth = 10 * done // total
            print(line, file=self.stream, flush=True)
