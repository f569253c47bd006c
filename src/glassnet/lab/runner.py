"""Running trials: settings x seeds, in worker processes or on a Dask cluster, each stored once.

``plan`` expands experiments into trials; ``run`` loads what ``TrialStore`` already holds and
runs the rest: in this process (``jobs=1``), in a pool of ``jobs`` worker processes, or on the
Dask scheduler at ``scheduler`` (distributed's own ``Client``). Each finished trial is saved
as soon as it arrives, so an interrupted run loses only the trials that were running.

A plan is counted before it is built and refused above ``PLAN_LIMIT`` trials unless the
caller says yes; ``jobs`` above the cores is capped at the cores (and said). Every record that
comes back is checked (``store.check_record``) before it is stored. From a Dask worker only
JSON text is accepted: the client deserializes nothing but msgpack (``SAFE_DESERIALIZERS``),
so a pickled result is refused instead of run (Dask's own protocol still trusts the cluster:
see the README's safety section).

Every trial runs with one BLAS thread (small products are faster on one thread here, and the
numbers must not depend on the thread count), float32 and the global seed set to its seed:
the same trial gives bit-identical metrics in any process, on any worker.
"""
import contextlib
import json
import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor, as_completed
import sys
import threading
import time

from .. import __version__
from .store import BadRecord, Trial, TrialStore, check_record, parse_record, to_json_data

PLAN_LIMIT = 20_000             # trials a run may plan without --yes (the lab at 3 seeds: 218)
# What the Dask client reads back: msgpack only; neither pickle nor "dask" (which unpickles the
# type named in its header).
SAFE_DESERIALIZERS = ("msgpack",)


def plan(experiments, seeds, quick=False, yes=False):
    """The trials of ``experiments``: every config x seeds 0..seeds-1 (one seed for a
    config marked ``deterministic``), in catalogue order; an experiment or a config named
    twice runs once. Counted first: above ``PLAN_LIMIT`` trials it is refused unless ``yes``."""
    check_seeds(seeds)
    experiments = list({experiment.id: experiment for experiment in experiments}.values())
    grids = [(experiment, _unique(experiment.configs(quick))) for experiment in experiments]
    check_plan_size(sum(1 if config.get("deterministic") else seeds
                        for _, configs in grids for config in configs), yes)
    trials = []
    for experiment, configs in grids:
        for config in configs:
            count = 1 if config.get("deterministic") else seeds
            trials.extend(Trial(experiment.id, config, seed) for seed in range(count))
    return trials


def check_seeds(seeds):
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"--seeds must be a positive integer, got {seeds!r}.")


def check_plan_size(count, yes=False):
    """Refuse a plan of more than ``PLAN_LIMIT`` trials unless ``yes``: a mistyped
    ``--seeds 1000000000`` should be one line, not minutes of growing memory."""
    if count > PLAN_LIMIT and not yes:
        raise ValueError(f"This run plans {count:,} trials, more than {PLAN_LIMIT:,}; check "
                         f"--seeds and the settings, or add --yes if you mean it.")


def _unique(configs):
    seen = {}
    for config in configs:
        seen.setdefault(json.dumps(config, sort_keys=True), config)
    return list(seen.values())


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


def run(trials, out_dir, jobs=None, scheduler=None, progress=None, tls=None, notify=None):
    """Run the ``trials`` not stored under ``out_dir`` yet; return (records, run, reused).

    ``records`` follow the order of ``trials``. ``progress(done, total)`` is called after
    each trial (stored or new). ``tls`` is (CA file, certificate, key) for a ``tls://``
    scheduler. ``notify(line)`` hears what the run decided for the user (jobs capped, a
    stored file set aside); by default a line on standard error.
    """
    notify = notify or _print_line
    jobs = check_jobs(jobs, notify)
    security = dask_security(scheduler, tls, notify)
    store = TrialStore(out_dir, notify)
    records = {}
    for trial in trials:
        record = store.load(trial)
        if record is not None:
            records[trial.key] = record
    reused = len(records)
    missing = sorted((t for t in trials if t.key not in records), key=_cost, reverse=True)
    report = progress or (lambda done, total: None)
    report(reused, len(trials))
    for record in _execute(missing, jobs, scheduler, security):
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


def check_jobs(jobs, notify):
    """``jobs`` checked, and capped at the cores this process may use (more workers than
    cores only share them and multiply the memory)."""
    if jobs is None:
        return None
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"--jobs must be a positive integer, got {jobs!r}.")
    cores = default_jobs()
    if jobs > cores:
        notify(f"glassnet: --jobs {jobs} is more than the {cores} cores here; using {cores}.")
        return cores
    return jobs


def check_options(jobs, scheduler, tls):
    """Raise on a bad ``jobs``, ``scheduler`` or ``tls`` before anything is written."""
    silent = lambda line: None                                           # noqa: E731
    check_jobs(jobs, silent)
    dask_security(scheduler, tls, silent)


def _print_line(line):
    print(line, file=sys.stderr, flush=True)


def _execute(trials, jobs, scheduler, security=None):
    """Yield the records of ``trials`` as they finish, each checked against its trial."""
    specs = [(t.experiment, t.config, t.seed) for t in trials]
    if not specs:
        return
    if scheduler:
        yield from _execute_dask(specs, scheduler, security)
        return
    jobs = default_jobs() if jobs is None else jobs
    if jobs == 1 or len(specs) == 1:
        records = (_guarded(spec, _run_spec) for spec in specs)
    else:
        records = _execute_processes(specs, min(jobs, len(specs)))
    for record in records:
        yield _checked(record)


def _checked(record):
    """A record from a trial function, refused with its trial's name unless it is what
    the store accepts."""
    spec = (record["experiment"], record["config"], record["seed"])
    try:
        check_record(record, Trial(*spec))
    except BadRecord as error:
        raise TrialError(spec, error) from None
    return record


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
    """A trial raised (or returned what is not a record): the message names the trial and
    the original error."""

    def __init__(self, spec, error):
        self.spec = spec
        reason = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
        super().__init__(f"Trial {Trial(*spec).describe()} failed: {reason}")

    def __reduce__(self):                       # crosses process boundaries with its message
        return RuntimeError, (str(self),)


def _run_spec_json(spec):
    """On a Dask worker: the trial's record as JSON text, or ``{"error": ...}``. It never
    raises, so no exception has to cross back (Dask pickles those)."""
    try:
        return json.dumps(run_trial(*spec), allow_nan=False, separators=(",", ":"))
    except Exception as error:
        return json.dumps({"error": f"{type(error).__name__}: {error}"})


def read_worker_result(text, spec):
    """The record of ``spec`` from a worker's JSON text, checked like a stored one."""
    if not isinstance(text, str):
        raise TrialError(spec, f"the Dask worker sent back a {type(text).__name__}, not "
                               f"JSON text")
    try:
        record = parse_record(text)
        if isinstance(record, dict) and set(record) == {"error"}:
            raise TrialError(spec, str(record["error"]))
        check_record(record, Trial(*spec))
    except BadRecord as error:
        raise TrialError(spec, f"the Dask worker's result is not a valid record: "
                               f"{error}") from None
    return record


def dask_security(scheduler, tls, notify=_print_line):
    """``distributed.security.Security`` for a ``tls://`` scheduler from ``tls`` = (CA
    file, certificate file, key file), each checked; None for ``tcp://``. A plain ``tcp://``
    address off this machine gets a one-line warning."""
    tls = tuple(tls or ()) if tls and any(tls) else ()
    if not scheduler:
        if tls:
            raise ValueError("--tls-ca, --tls-cert and --tls-key are for a tls:// --scheduler.")
        return None
    address = str(scheduler)
    if not address.startswith("tls://"):
        if tls:
            raise ValueError(f"--tls-ca, --tls-cert and --tls-key need a tls:// scheduler "
                             f"address, got {address!r}.")
        host = address.split("://", 1)[-1].rsplit(":", 1)[0].strip("[]")
        if host not in ("127.0.0.1", "localhost", "::1", ""):
            notify(f"glassnet: {address} is not encrypted, and Dask trusts every machine of "
                   f"the cluster; on a network you do not own use tls:// with --tls-ca, "
                   f"--tls-cert and --tls-key.")
        return None
    if len(tls) != 3 or not all(tls):
        raise ValueError("A tls:// scheduler needs --tls-ca, --tls-cert and --tls-key "
                         "(PEM files: the cluster's CA, this client's certificate and key).")
    for option, path in zip(("--tls-ca", "--tls-cert", "--tls-key"), tls):
        if not os.path.isfile(path):
            raise ValueError(f"{option}: {path!r} is not a readable file.")
    from distributed.security import Security
    return Security(tls_ca_file=str(tls[0]), tls_client_cert=str(tls[1]),
                    tls_client_key=str(tls[2]), require_encryption=True)


def _execute_dask(specs, scheduler, security=None):
    """Run on the Dask cluster at ``scheduler``. Workers return JSON text; the client reads
    nothing but msgpack back, so a pickled result is refused (one line naming the trial)
    instead of unpickled."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ImportError("--scheduler needs Dask's distributed: pip install "
                          "'glassnet[dask]'.") from None
    try:
        client = Client(scheduler, security=security,
                        deserializers=list(SAFE_DESERIALIZERS))
    except (OSError, ValueError, TypeError) as error:    # unreachable, or not an address
        raise ValueError(f"--scheduler: cannot connect to the Dask scheduler at "
                         f"{scheduler!r}: {error}") from None
    with client, _quiet_refusals():
        futures = {client.submit(_run_spec_json, spec, pure=False,
                                 key=f"glassnet-trial-{Trial(*spec).key}"): spec
                   for spec in specs}
        for future in as_completed(futures):
            spec = futures[future]
            try:
                text = future.result()
            except Exception as error:          # refused frames, a lost worker
                raise TrialError(spec, f"the Dask worker's result was refused or lost "
                                       f"({type(error).__name__}: {error}); glassnet reads "
                                       f"only JSON text from workers") from None
            yield read_worker_result(text, spec)


@contextlib.contextmanager
def _quiet_refusals():
    """Dask logs a refused frame as a CRITICAL traceback; glassnet reports it in one line
    instead, so that logger is silenced while glassnet's client runs."""
    logger = logging.getLogger("distributed.protocol.core")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


def default_jobs():
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


class ProgressBar:
    """Progress of a lab run on ``stream`` (stderr). On a terminal: a bar over trials, redrawn
    as trials finish and every second. Elsewhere (a log, CI): a line at every tenth of the
    trials and at least every ``every`` seconds while trials run, so a log never goes quiet.
    ``phase(text)`` prints a line for each step after the trials ('drawing the report...')."""

    def __init__(self, stream=None, width=30, every=10.0):
        self.stream = stream or sys.stderr
        self.width = width
        self.every = every
        self.interactive = getattr(self.stream, "isatty", lambda: False)()
        self.start = time.perf_counter()
        self.last_tenth = -1
        self.last_line = self.start
        self.state = (0, 0)
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker = None

    def __call__(self, done, total):
        if total == 0:
            return
        with self.lock:
            self.state = (done, total)
            tenth = 10 * done // total
            if self.interactive or tenth > self.last_tenth \
                    or time.perf_counter() - self.last_line >= self.every:
                self.last_tenth = max(self.last_tenth, tenth)
                self._write(done, total)
        if done < total and self.ticker is None:
            self.ticker = threading.Thread(target=self._tick, name="glassnet-progress",
                                           daemon=True)
            self.ticker.start()
        if done >= total:
            self.stopped.set()

    def _line(self, done, total):
        elapsed = time.perf_counter() - self.start
        filled = self.width * done // total
        return (f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} trials "
                f"{elapsed:.0f}s")

    def _write(self, done, total):
        line = self._line(done, total)
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done == total else ""))
            self.stream.flush()
        else:
            print(line, file=self.stream, flush=True)
        self.last_line = time.perf_counter()

    def _tick(self):
        """While trials run: redraw the bar every second on a terminal; elsewhere print a
        line when ``every`` seconds passed without one."""
        while not self.stopped.wait(1.0 if self.interactive else min(1.0, self.every / 4)):
            with self.lock:
                done, total = self.state
                if done >= total:
                    return
                if self.interactive or time.perf_counter() - self.last_line >= self.every:
                    try:
                        self._write(done, total)
                    except (OSError, ValueError):      # the stream is gone: nothing to tell
                        return

    def phase(self, text):
        """A line for one step of the run ('drawing the report: depth (1/10)')."""
        with self.lock:
            done, total = self.state
            if self.interactive and 0 < done < total:
                self.stream.write("\n")                 # leave an unfinished bar's line
            elapsed = time.perf_counter() - self.start
            print(f"{text}... ({elapsed:.0f}s)", file=self.stream, flush=True)
            self.last_line = time.perf_counter()

    def close(self):
        """Stop the ticker (a run that ended early, by an error or Ctrl-C, never reached
        ``done == total``)."""
        self.stopped.set()
