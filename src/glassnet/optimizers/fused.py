"""One GPU kernel per update (CuPy only): Adam's and RMSprop's NumPy-style lines as one CuPy
ElementwiseKernel each.
"""
from ..arrays import elementwise_kernel


# On a GPU each NumPy-style line of an update is one kernel launch, and a small network's step is
# bound by launches, not arithmetic: Adam's update is ten launches per weight array. These are
# the same lines, in the same order, as one CuPy ElementwiseKernel each (the results agree with
# the NumPy lines to float rounding: the GPU may fuse a multiply and an add).
_KERNELS = {
    "adam": ("T g, T beta_1, T one_minus_beta_1, T beta_2, T one_minus_beta_2, T epsilon, "
             "T alpha", "T w, T m, T v",
             "m = m * beta_1 + g * one_minus_beta_1;"
             "v = v * beta_2 + (g * g) * one_minus_beta_2;"
             "w -= (m / (sqrt(v) + epsilon)) * alpha;"),
    "rmsprop": ("T g, T rho, T one_minus_rho, T epsilon, T lr", "T w, T v",
                "v = v * rho + (g * g) * one_minus_rho;"
                "w -= (g / sqrt(v + epsilon)) * lr;"),
}


def _kernel(name):
    """The CuPy kernel of update ``name``, compiled on first use."""
    return elementwise_kernel(f"{name}_update", *_KERNELS[name])
