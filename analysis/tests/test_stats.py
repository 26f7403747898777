"""Statistics on synthetic data with known truth."""
import numpy as np
import pytest

from ringlab_analysis import stats


def _sweep(rng, n_configs, reps, noise, shifts):
    """(base, cand) samples per config; shifts: {config index: factor}."""
    out = []
    for i in range(n_configs):
        true = 100.0 + 10 * i
        a = true * (1 + noise * rng.standard_normal(reps))
        b = true * shifts.get(i, 1.0) * (1 + noise * rng.standard_normal(reps))
        out.append(stats.compare_samples(a, b, rng))
    return out


def test_planted_ten_percent_slowdown_with_ten_repetitions_is_found():
    rng = np.random.default_rng(7)
    comps = stats.judge_all(_sweep(rng, 10, 10, 0.02, {3: 1.10}), threshold_pct=5.0)
    assert comps[3].verdict == "slower"
    assert comps[3].regression
    assert 1.05 < comps[3].ratio < 1.15
    assert comps[3].ci_lo > 1.0
    assert not any(c.regression for i, c in enumerate(comps) if i != 3)


def test_planted_speedup_is_faster_not_a_regression():
    rng = np.random.default_rng(8)
    comps = stats.judge_all(_sweep(rng, 5, 10, 0.02, {0: 0.9}), threshold_pct=5.0)
    assert comps[0].verdict == "faster"
    assert not comps[0].regression


def test_slowdown_below_threshold_is_slower_but_not_a_regression():
    rng = np.random.default_rng(9)
    comps = stats.judge_all(_sweep(rng, 1, 30, 0.005, {0: 1.03}), threshold_pct=5.0)
    assert comps[0].verdict == "slower"
    assert not comps[0].regression


def test_aa_false_regression_rate_is_below_alpha():
    """200 A/A sweeps of 5 configurations each, same distribution on both sides."""
    rng = np.random.default_rng(11)
    trials, regressions, significant = 200, 0, 0
    for _ in range(trials):
        comps = stats.judge_all(_sweep(rng, 5, 10, 0.03, {}), threshold_pct=5.0)
        regressions += any(c.regression for c in comps)
        significant += any(c.verdict in ("slower", "faster") for c in comps)
    # BH under the complete null controls the family-wise rate at ALPHA; allow 3 sigma of
    # binomial slack on the verdict rate, and demand a wide margin on regressions.
    slack = 3 * np.sqrt(stats.ALPHA * (1 - stats.ALPHA) / trials)
    assert significant / trials <= stats.ALPHA + slack
    assert regressions / trials < stats.ALPHA / 2


@pytest.mark.parametrize("n_a,n_b", [(2, 2), (1, 10), (10, 2)])
def test_too_few_repetitions_is_inconclusive(n_a, n_b):
    a = np.full(n_a, 100.0) + np.arange(n_a)
    b = np.full(n_b, 200.0) + np.arange(n_b)          # a doubling: obvious, yet too few reps
    c = stats.judge_all([stats.compare_samples(a, b)], threshold_pct=5.0)[0]
    assert c.verdict == "inconclusive"
    assert not c.regression
    assert "too few repetitions" in c.note


def test_change_smaller_than_run_noise_is_never_a_regression():
    rng = np.random.default_rng(3)
    a = 100 * (1 + 0.15 * rng.standard_normal(400))
    b = 108 * (1 + 0.15 * rng.standard_normal(400))  # +8%: significant with 400 reps, but inside 15% noise
    c = stats.judge_all([stats.compare_samples(a, b, rng)], threshold_pct=5.0)[0]
    assert c.q < stats.ALPHA
    assert c.verdict == "unchanged"
    assert not c.regression
    assert "noise" in c.note


def test_benjamini_hochberg_matches_hand_computation():
    q = stats.benjamini_hochberg([0.01, 0.04, 0.03, 0.20])
    # sorted p: .01 .03 .04 .20 -> p*m/rank: .04 .06 .0533 .20 -> running min from the top
    assert q == pytest.approx([0.04, 0.0533333, 0.0533333, 0.20], rel=1e-5)


def test_bootstrap_ratio_interval_contains_truth():
    rng = np.random.default_rng(5)
    a = 100 * (1 + 0.02 * rng.standard_normal(20))
    b = 125 * (1 + 0.02 * rng.standard_normal(20))
    r, lo, hi = stats.bootstrap_ratio(a, b, rng)
    assert lo < 1.25 < hi and lo < r < hi


def test_geomean_ratio_over_matched_pairs():
    rng = np.random.default_rng(6)
    pairs = [(t * (1 + 0.01 * rng.standard_normal(8)), 1.5 * t * (1 + 0.01 * rng.standard_normal(8)))
             for t in (50.0, 100.0, 400.0)]
    g, lo, hi = stats.bootstrap_geomean_ratio(pairs, rng)
    assert lo < 1.5 < hi and abs(g - 1.5) < 0.03


def test_min_attainable_p():
    assert stats.min_attainable_p(3, 3) == pytest.approx(0.1)
    assert stats.min_attainable_p(10, 10) < 1e-4
