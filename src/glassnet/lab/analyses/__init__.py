"""One analysis per experiment: stored trials in, figures + tables + conclusions out.

Grouped as the notes are: ``structure`` (§1), ``activation`` (§2), ``loss`` (§3),
``weights`` (§4 and beyond), ``grid`` (``glassnet compare``).
"""
from .activation import activations, vanishing
from .common import Figure, Section, Table
from .grid import compare
from .loss import losses, softmax
from .structure import depth
from .weights import deep_relu, exploding, init_compare, init_histograms, symmetry

ANALYSES = {"depth": depth, "vanishing": vanishing, "activations": activations,
            "softmax": softmax, "losses": losses, "symmetry": symmetry,
            "init-histograms": init_histograms, "init-compare": init_compare,
            "exploding": exploding, "deep-relu": deep_relu, "compare": compare}

__all__ = ["ANALYSES", "Figure", "Section", "Table"]
