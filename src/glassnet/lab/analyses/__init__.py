"""One analysis per experiment: stored trials in, figures + tables + conclusions out.

Grouped as the notes are: ``structure`` (§1), ``activation`` (§2), ``loss`` (§3),
``weights`` (§4 and beyond), ``grid`` (``glassnet compare``).
"""
from .activation import activations, activations_plans, vanishing, vanishing_plans
from .common import Figure, Section, Table
from .grid import compare, compare_plans
from .loss import losses, losses_plans, softmax
from .structure import depth, depth_plans
from .weights import deep_relu, deep_relu_plans, exploding, exploding_plans, init_compare, \
    init_compare_plans, init_histograms, symmetry, symmetry_plans

ANALYSES = {"depth": depth, "vanishing": vanishing, "activations": activations,
            "softmax": softmax, "losses": losses, "symmetry": symmetry,
            "init-histograms": init_histograms, "init-compare": init_compare,
            "exploding": exploding, "deep-relu": deep_relu, "compare": compare}

# experiment id -> plans(records): the comparisons behind its verdicts (see comparisons.py)
PLANS = {"depth": depth_plans, "losses": losses_plans, "vanishing": vanishing_plans,
         "activations": activations_plans, "symmetry": symmetry_plans,
         "init-compare": init_compare_plans, "exploding": exploding_plans,
         "deep-relu": deep_relu_plans, "compare": compare_plans}

__all__ = ["ANALYSES", "PLANS", "Figure", "Section", "Table"]
