"""E-divisive means on series with a known change point, and on flat ones."""
import numpy as np

from ringlab_analysis.changepoint import e_divisive


def test_planted_change_point_is_located():
    rng = np.random.default_rng(21)
    x = np.r_[100 * (1 + 0.02 * rng.standard_normal(30)), 108 * (1 + 0.02 * rng.standard_normal(30))]
    cps = e_divisive(x, rng=np.random.default_rng(1))
    assert len(cps) >= 1
    assert min(abs(c.index - 30) for c in cps) <= 2
    assert all(c.p_value <= 0.05 for c in cps)


def test_two_planted_change_points():
    rng = np.random.default_rng(22)
    x = np.r_[rng.normal(100, 1, 20), rng.normal(115, 1, 20), rng.normal(95, 1, 20)]
    idx = sorted(c.index for c in e_divisive(x, rng=np.random.default_rng(2)))
    assert len(idx) == 2 and abs(idx[0] - 20) <= 1 and abs(idx[1] - 40) <= 1


def test_flat_series_gives_no_change_point():
    rng = np.random.default_rng(23)
    assert e_divisive(rng.normal(100, 2, 60), rng=np.random.default_rng(3)) == []
    # over many flat series the rate stays near the 5% level of the permutation test
    hits = sum(bool(e_divisive(rng.normal(100, 2, 30), rng=np.random.default_rng(i))) for i in range(40))
    assert hits <= 6


def test_constant_and_short_series():
    assert e_divisive([5.0] * 20) == []
    assert e_divisive([1.0, 2.0, 3.0]) == []
