"""The lab: the chapter's lessons as experiments over seeds, and one report.

``run(ids, ...)`` runs catalogue experiments (all when ``ids`` is empty), ``compare(configs,
...)`` a user's own grid; both store each finished trial under ``out/trials/`` and write
``out/index.html`` (``index.ko.html`` for ``lang="ko"``), ``out/results.json`` and the
figures. The page covers every trial stored in ``out``: a run of some experiments re-renders
the whole page. ``glassnet lab`` and ``glassnet compare`` call them.
"""
import dataclasses
from pathlib import Path

from . import outdir, runner
from .analyses.common import Say
from .analyses.grid import chosen_rates
from .experiments import CATALOGUE, EXPERIMENTS, compare_experiment, find
from .report import catalogue_rows, gather, write_report

__all__ = ["CATALOGUE", "EXPERIMENTS", "LabRun", "catalogue_rows", "compare", "find", "run"]


@dataclasses.dataclass
class LabRun:
    report: Path            # index.html
    records: list
    ran: int
    reused: int
    settings: str = ""      # compare: the values that ran (Adam's 0.001, not None)

    def summary(self):
        """What the command prints last: the settings that ran (compare), then the line
        'N trials: R run, S reused. Report: ...'."""
        line = (f"{len(self.records)} trials: {self.ran} run, {self.reused} reused. "
                f"Report: {self.report}")
        return f"{self.settings}\n{line}" if self.settings else line


def run(ids=(), seeds=3, out="glassnet-report", jobs=None, scheduler=None, lang="en",
        quick=False, progress=None, **safety):
    """Run the catalogue experiments ``ids`` (all when empty; an id named twice runs once)
    and write the report. ``safety``: ``force`` (write into a folder glassnet did not
    write), ``yes`` (a plan above ``runner.PLAN_LIMIT`` trials), ``tls`` (CA, certificate
    and key files for a ``tls://`` scheduler)."""
    experiments = [find(i) for i in dict.fromkeys(ids)] if ids else list(CATALOGUE)
    return _run(experiments, list(CATALOGUE), seeds, out, jobs, scheduler, lang, quick,
                progress, **safety)


def compare(configs, seeds=3, out="glassnet-compare", jobs=None, scheduler=None, lang="en",
            progress=None, **safety):
    """Run a user's grid (a list of settings, see ``glassnet compare --help``)."""
    if not configs:
        raise ValueError("compare needs at least one setting.")
    experiment = compare_experiment(configs)
    result = _run([experiment], [experiment], seeds, out, jobs, scheduler, lang, False,
                  progress, **safety)
    result.settings = ran_with(result.records)
    return result


def ran_with(records):
    """'Settings that ran: optimizer=adam learning_rate=0.001 (its default), ...': the rate
    the optimizer used where the grid left it to the optimizer; then, for the settings run
    with ``learning_rate="auto"``, the rate each chose (per seed where they differ)."""
    rates = {}
    for record in records:
        if record["config"].get("learning_rate") is None:
            rate = record.get("metrics", {}).get("learning_rate")
            rates.setdefault(record["config"].get("optimizer"), set()).add(rate)
    lines = []
    if rates:
        lines.append("Settings that ran: " + "; ".join(
            f"optimizer={name} learning_rate="
            f"{', '.join(f'{r:g}' for r in sorted(values) if r)} (its default)"
            for name, values in rates.items()))
    chosen = chosen_rates(records, Say("en"))
    if chosen:
        lines.append("Learning rates chosen on the validation split (--learning-rate auto): "
                     + "; ".join(chosen))
    return "\n".join(lines)


def _run(experiments, page, seeds, out, jobs, scheduler, lang, quick, progress, force=False,
         yes=False, tls=None):
    """Run the trials of ``experiments``, then draw the page of every experiment in ``page``
    from all the trials stored in ``out`` (those of earlier runs too)."""
    if lang not in ("en", "ko"):
        raise ValueError(f"--lang must be 'en' or 'ko', got {lang!r}.")
    phase = getattr(progress, "phase", None) or (lambda text: None)
    trials = runner.plan(experiments, seeds, quick, yes=yes)
    runner.check_options(jobs, scheduler, tls)          # every refusal before the folder
    outdir.claim(out, force=force)
    phase(f"running {len(experiments)} experiment(s): {len(trials)} trials")
    try:
        records, ran, reused = runner.run(trials, out, jobs=jobs, scheduler=scheduler,
                                          progress=progress, tls=tls)
    finally:
        getattr(progress, "close", lambda: None)()      # its ticker stops with the trials
    phase("reading every stored trial")
    stored = gather(out, page, quick)
    report = write_report(page, stored, out, lang=lang, seeds=seeds, quick=quick, phase=phase)
    return LabRun(report.resolve(), records, ran, reused)
