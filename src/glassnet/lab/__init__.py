"""The lab: the chapter's lessons as experiments over seeds, and one report.

``run(ids, ...)`` runs catalogue experiments (all when ``ids`` is empty), ``compare(configs,
...)`` a user's own grid; both store each finished trial under ``out/trials/`` and write
``out/index.html``, ``out/results.json`` and the figures. ``glassnet lab`` and ``glassnet
compare`` call them.
"""
import dataclasses
from pathlib import Path

from . import outdir, runner
from .experiments import CATALOGUE, EXPERIMENTS, compare_experiment, find
from .report import catalogue_rows, write_report

__all__ = ["CATALOGUE", "EXPERIMENTS", "LabRun", "catalogue_rows", "compare", "find", "run"]


@dataclasses.dataclass
class LabRun:
    report: Path            # index.html
    records: list
    ran: int
    reused: int

    def summary(self):
        """The last line the command prints."""
        return (f"{len(self.records)} trials: {self.ran} run, {self.reused} reused. "
                f"Report: {self.report}")


def run(ids=(), seeds=3, out="glassnet-report", jobs=None, scheduler=None, lang="en",
        quick=False, progress=None, **safety):
    """Run the catalogue experiments ``ids`` (all when empty; an id named twice runs once)
    and write the report. ``safety``: ``force`` (write into a folder glassnet did not
    write), ``yes`` (a plan above ``runner.PLAN_LIMIT`` trials), ``tls`` (CA, certificate
    and key files for a ``tls://`` scheduler)."""
    experiments = [find(i) for i in dict.fromkeys(ids)] if ids else list(CATALOGUE)
    return _run(experiments, seeds, out, jobs, scheduler, lang, quick, progress, **safety)


def compare(configs, seeds=3, out="glassnet-report", jobs=None, scheduler=None, lang="en",
            progress=None, **safety):
    """Run a user's grid (a list of settings, see ``glassnet compare --help``)."""
    if not configs:
        raise ValueError("compare needs at least one setting.")
    return _run([compare_experiment(configs)], seeds, out, jobs, scheduler, lang, False,
                progress, **safety)


def _run(experiments, seeds, out, jobs, scheduler, lang, quick, progress, force=False,
         yes=False, tls=None):
    if lang not in ("en", "ko"):
        raise ValueError(f"--lang must be 'en' or 'ko', got {lang!r}.")
    trials = runner.plan(experiments, seeds, quick, yes=yes)
    runner.check_options(jobs, scheduler, tls)          # every refusal before the folder
    outdir.claim(out, force=force)
    records, ran, reused = runner.run(trials, out, jobs=jobs, scheduler=scheduler,
                                      progress=progress, tls=tls)
    report = write_report(experiments, records, out, lang=lang, seeds=seeds, quick=quick)
    return LabRun(report.resolve(), records, ran, reused)
