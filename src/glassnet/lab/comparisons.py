"""Verdicts as data: an arm against a named reference, paired seed by seed.

Every setting of an experiment runs with the same seeds, and a seed fixes the data split and
the shuffles, so the fair test of "is A better than B" is the per-seed difference A - B. A
comparison record (the public schema of ``results.json``'s ``comparisons``)::

    {"experiment", "metric", "higher_is_better", "arm": {config subset},
     "reference": {config subset}, "seeds", "difference", "ci95": [lo, hi],
     "verdict": "better" | "worse" | "undecided", "seeds_needed": n or None,
     "arm_mean", "reference_mean", "arm_ahead"}

``difference`` is the mean over the seeds both sides have (finite on both) of
arm - reference; ``ci95`` Student's t on those differences; the verdict is ``better`` when the
whole interval lies on the metric's good side of 0, ``worse`` on the bad side, ``undecided``
when it holds 0. ``seeds_needed`` (undecided only) is how many seeds would likely decide a
difference of this size at the observed spread. ``arm_ahead`` counts the seeds in which the
arm did better. A config subset selects the trials whose config holds those pairs, one per
seed.
"""
import dataclasses
import json
import math

import numpy as np

from . import stats


@dataclasses.dataclass(frozen=True)
class Plan:
    """One comparison to make: ``arm`` against ``reference`` (config subsets) on ``metric``."""
    metric: str
    arm: dict
    reference: dict
    higher_is_better: bool = True


def matches(config, subset):
    """True when ``config`` holds every key/value pair of ``subset`` (a None value also
    matches a config without that key: {"clipnorm": None} selects the unclipped runs)."""
    return all(config.get(key) == value if value is None else
               (key in config and config[key] == value) for key, value in subset.items())


def by_seed(records, subset, metric):
    """{seed: value of ``metric``} of the records ``subset`` selects (one per seed)."""
    chosen = {}
    for record in records:
        if not matches(record["config"], subset):
            continue
        if record["seed"] in chosen:
            raise ValueError(f"The subset {subset} selects more than one trial of seed "
                             f"{record['seed']}; name more settings so it selects one.")
        chosen[record["seed"]] = record.get("metrics", {}).get(metric)
    return chosen


def _number(value):
    return math.nan if value is None else float(value)


def compare(records, experiment, plan):
    """The comparison record of ``plan`` over ``records`` (trials of ``experiment``)."""
    arm = by_seed(records, plan.arm, plan.metric)
    reference = by_seed(records, plan.reference, plan.metric)
    seeds = sorted(s for s in set(arm) & set(reference)
                   if math.isfinite(_number(arm[s])) and math.isfinite(_number(reference[s])))
    differences = [_number(arm[s]) - _number(reference[s]) for s in seeds]
    difference, interval, n = stats.paired(differences)
    sign = 1 if plan.higher_is_better else -1
    verdict, needed = "undecided", None
    if interval is not None and sign * interval[0] > 0 and sign * interval[1] > 0:
        verdict = "better"
    elif interval is not None and sign * interval[0] < 0 and sign * interval[1] < 0:
        verdict = "worse"
    elif n >= 2:
        needed = stats.seeds_needed(difference, float(np.std(differences, ddof=1)))
    return {"experiment": experiment, "metric": plan.metric,
            "higher_is_better": plan.higher_is_better, "arm": dict(plan.arm),
            "reference": dict(plan.reference), "seeds": n,
            "difference": None if n == 0 else difference,
            "ci95": None if interval is None else [interval[0], interval[1]],
            "verdict": verdict, "seeds_needed": needed,
            "arm_mean": _mean([_number(arm[s]) for s in seeds]),
            "reference_mean": _mean([_number(reference[s]) for s in seeds]),
            "arm_ahead": sum(sign * d > 0 for d in differences)}


def _mean(numbers):
    return float(np.mean(numbers)) if numbers else None


def compare_all(records, experiment, plans):
    """The records of every plan (once each) whose arm and reference both select trials."""
    out, seen = [], set()
    for plan in plans:
        key = json.dumps([plan.metric, plan.arm, plan.reference], sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        record = compare(records, experiment, plan)
        if record["seeds"] > 0:
            out.append(record)
    return out
