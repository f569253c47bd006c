"""Numbers over seeds as the report prints them."""
import pytest

pytest.importorskip("scipy")

from glassnet.lab.stats import format_interval  # noqa: E402


def test_intervals_print_readably_at_every_magnitude():
    assert format_interval([0.96, 0.97, 0.95], percent=True) == "96.0% ± 2.5"
    assert format_interval([0.5, 0.6, 0.7]) == "0.600 ± 0.248"
    assert format_interval([3.0e6, 9.0e6, 4.9e6]) == "5.63e+06 ± 7.6e+06"
    assert format_interval([2e-6, 3e-6]) == "2.50e-06 ± 6.4e-06"
    assert format_interval([None, float("nan")]) == "n/a"
    assert format_interval([1e5]) == "1.00e+05"
