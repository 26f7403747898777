"""Statistics for A/B comparisons: Mann-Whitney U, bootstrap CIs of ratios, Benjamini-Hochberg.

Why these: benchmark repetitions are few, skewed and sometimes bimodal (a migration, an
interrupt), so we use a rank test (no normality assumption) and a bootstrap of the ratio of
*medians* (robust to one bad repetition).  A sweep tests many configurations at once, so the
p-values are corrected with Benjamini-Hochberg (false discovery rate) before any verdict.
"""
from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

ALPHA = 0.05            # false discovery rate of the whole sweep (after Benjamini-Hochberg)
CONFIDENCE = 0.95       # of every bootstrap interval
MIN_REPETITIONS = 3     # fewer per side: "inconclusive", never a verdict
N_BOOTSTRAP = 2000

VERDICTS = ("slower", "faster", "unchanged", "inconclusive")


def rng_for(*parts) -> np.random.Generator:
    """A deterministic generator per comparison, so the same inputs give the same report."""
    # zlib.crc32, not hash(): str hashes are salted per process.
    return np.random.default_rng(zlib.crc32("\x1f".join(str(p) for p in parts).encode()))


def clean(xs) -> np.ndarray:
    return np.asarray([float(x) for x in xs if x is not None and np.isfinite(x)], dtype=float)


def relative_noise(xs) -> float:
    """Run-to-run spread of one side: 1.4826*MAD/median (a robust coefficient of variation)."""
    xs = clean(xs)
    if len(xs) < 2:
        return float("nan")
    med = float(np.median(xs))
    if med == 0:
        return float("nan")
    return float(1.4826 * np.median(np.abs(xs - med)) / abs(med))


def mann_whitney_p(a, b) -> float:
    """Two-sided Mann-Whitney U p-value; identical constant samples give 1 (no evidence)."""
    a, b = clean(a), clean(b)
    if len(a) == 0 or len(b) == 0:
        return 1.0
    if np.ptp(np.concatenate([a, b])) == 0:
        return 1.0
    return float(sps.mannwhitneyu(b, a, alternative="two-sided").pvalue)


def min_attainable_p(n_a: int, n_b: int) -> float:
    """Smallest two-sided Mann-Whitney p with these sample sizes (without ties).

    Shown in reports: with 3 repetitions per side nothing can ever reach p < 0.1."""
    from math import comb
    if n_a == 0 or n_b == 0:
        return 1.0
    return min(1.0, 2.0 / comb(n_a + n_b, n_a))


def _boot_medians(x: np.ndarray, rng, n_boot: int) -> np.ndarray:
    """Medians of n_boot resamples (with replacement) of x."""
    return np.median(x[rng.integers(0, len(x), (n_boot, len(x)))], axis=1)


def _interval(values, confidence):
    """Central percentile interval of bootstrap values."""
    tail = (1 - confidence) / 2 * 100
    return np.percentile(values, [tail, 100 - tail])


def bootstrap_ratio(a, b, rng=None, n_boot=N_BOOTSTRAP, confidence=CONFIDENCE):
    """median(b)/median(a) and its percentile-bootstrap interval (each side resampled)."""
    a, b = clean(a), clean(b)
    if len(a) == 0 or len(b) == 0 or np.median(a) == 0:
        return None, None, None
    rng = rng or np.random.default_rng(0)
    ma, mb = _boot_medians(a, rng, n_boot), _boot_medians(b, rng, n_boot)
    ok = ma != 0
    lo, hi = _interval(mb[ok] / ma[ok], confidence)
    return float(np.median(b) / np.median(a)), float(lo), float(hi)


def bootstrap_geomean_ratio(pairs, rng=None, n_boot=N_BOOTSTRAP, confidence=CONFIDENCE):
    """Geometric mean over matched configurations of median(b)/median(a), with a bootstrap CI.

    Used by the seed questions: "packed vs split" is answered over every configuration that
    differs only in the layout; each pair is resampled within itself, which keeps the
    pairing and propagates each pair's repetition noise into the interval."""
    pairs = [(clean(a), clean(b)) for a, b in pairs]
    pairs = [(a, b) for a, b in pairs if len(a) and len(b) and np.median(a) > 0 and np.median(b) > 0]
    if not pairs:
        return None, None, None
    rng = rng or np.random.default_rng(0)
    point = float(np.exp(np.mean([np.log(np.median(b) / np.median(a)) for a, b in pairs])))
    logs = np.zeros(n_boot)
    for a, b in pairs:
        ma, mb = _boot_medians(a, rng, n_boot), _boot_medians(b, rng, n_boot)
        logs += np.log(np.maximum(mb, 1e-300) / np.maximum(ma, 1e-300))
    logs /= len(pairs)
    lo, hi = np.exp(_interval(logs, confidence))
    return point, float(lo), float(hi)


def benjamini_hochberg(pvals) -> list:
    """Adjusted p-values (q-values) of the Benjamini-Hochberg step-up procedure."""
    p = np.asarray(pvals, dtype=float)
    m = len(p)
    if m == 0:
        return []
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    q = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(q, 1.0)
    return [float(x) for x in out]


@dataclass
class Comparison:
    """One metric of one configuration, base (a) against candidate (b); ratio = b / a."""
    n_a: int
    n_b: int
    median_a: float | None
    median_b: float | None
    ratio: float | None
    ci_lo: float | None
    ci_hi: float | None
    p: float
    noise: float                  # relative run-to-run spread, the larger of the two sides
    q: float = 1.0
    verdict: str = "inconclusive"
    regression: bool = False
    note: str = ""


def compare_samples(a, b, rng=None) -> Comparison:
    a, b = clean(a), clean(b)
    ratio, lo, hi = bootstrap_ratio(a, b, rng)
    noise = np.nanmax([relative_noise(a), relative_noise(b), 0.0]) if len(a) > 1 or len(b) > 1 else float("nan")
    return Comparison(n_a=len(a), n_b=len(b),
                      median_a=float(np.median(a)) if len(a) else None,
                      median_b=float(np.median(b)) if len(b) else None,
                      ratio=ratio, ci_lo=lo, ci_hi=hi, p=mann_whitney_p(a, b), noise=float(noise))


def judge(c: Comparison, threshold_pct: float, alpha=ALPHA, min_reps=MIN_REPETITIONS) -> Comparison:
    """Turn a corrected comparison into a verdict.

    slower/faster: significant after BH, the CI excludes 1, and the change exceeds the
    run-to-run noise.  A change inside the noise is "unchanged" however small its p.
    Not significant: "unchanged" if the measured change is inside +-max(threshold, noise),
    else "inconclusive" (a change that would matter, but the data cannot confirm it).  A regression is a
    "slower" verdict at least threshold_pct large."""
    if c.n_a < min_reps or c.n_b < min_reps:
        c.verdict, c.note = "inconclusive", f"too few repetitions ({c.n_a} vs {c.n_b}; need {min_reps} per side)"
        return c
    if c.ratio is None:
        c.verdict, c.note = "inconclusive", "no usable values"
        return c
    change = c.ratio - 1
    noise = 0.0 if not np.isfinite(c.noise) else c.noise
    excludes_one = c.ci_lo > 1 or c.ci_hi < 1
    if c.q <= alpha and excludes_one:
        if abs(change) > noise:
            worse = change > 0       # every compared metric is "higher is worse"
            c.verdict = "slower" if worse else "faster"
            c.regression = worse and abs(change) * 100 >= threshold_pct
        else:
            c.verdict = "unchanged"
            c.note = f"significant but within run-to-run noise ({noise * 100:.1f}%)"
        return c
    band = max(threshold_pct / 100, noise)
    if abs(change) <= band:
        c.verdict = "unchanged"
    else:
        c.verdict = "inconclusive"
        c.note = f"{change * 100:+.1f}% but not significant (q={c.q:.3g})"
        floor = min_attainable_p(c.n_a, c.n_b)
        if floor > alpha:
            c.note += f"; with {c.n_a}+{c.n_b} repetitions p cannot go below {floor:.3g}"
    return c


def judge_all(comparisons, threshold_pct: float, alpha=ALPHA, min_reps=MIN_REPETITIONS) -> list:
    """Benjamini-Hochberg across the sweep (only comparisons with enough data take part)."""
    testable = [c for c in comparisons if c.n_a >= min_reps and c.n_b >= min_reps and c.ratio is not None]
    for c, q in zip(testable, benjamini_hochberg([c.p for c in testable])):
        c.q = q
    for c in comparisons:
        judge(c, threshold_pct, alpha, min_reps)
    return comparisons
