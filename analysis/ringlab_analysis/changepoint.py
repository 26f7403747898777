"""E-divisive means change-point detection (Matteson & James, 2014, JASA 109(505)).

Why this method: it is non-parametric (energy distance, no normality assumption, which
benchmark series rarely satisfy), finds several change points hierarchically, and judges
each with a permutation test, so a flat but noisy series gives none at the stated level.
It is also what MongoDB's performance CI uses for the same job.

For one segment, every split tau and end kappa (the second sample is Z[tau:kappa]) is scored
  Q = m*n/(m+n) * ( 2/(m*n) sum|X_i-Y_j|^a - 1/C(m,2) sum_{i<k}|X_i-X_k|^a - 1/C(n,2) sum_{j<k}|Y_j-Y_k|^a )
and the best split of all current segments is kept if a permutation test (observations
permuted within each segment, the whole search repeated) says it is significant.
Block sums of the distance matrix come from a 2-D prefix sum, so one search is O(T^2).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

METHOD_NAME = "E-divisive means (Matteson & James 2014), permutation test"
SIG_LEVEL = 0.05
N_PERMUTATIONS = 199
MIN_SEGMENT = 3
ALPHA_EXPONENT = 1.0   # the distance exponent a in (0, 2); 1 gives the energy distance


@dataclass
class ChangePoint:
    index: int       # first index of the new segment
    statistic: float
    p_value: float


def _best_split(z: np.ndarray, min_size: int, a: float):
    """Best (statistic, tau) of one segment, searching every end kappa as the paper does."""
    t = len(z)
    if t < 2 * min_size:
        return -np.inf, None
    d = np.abs(z[:, None] - z[None, :]) ** a
    s = np.zeros((t + 1, t + 1))
    s[1:, 1:] = d.cumsum(0).cumsum(1)

    def block(r0, r1, c0, c1):
        return s[r1, c1] - s[r0, c1] - s[r1, c0] + s[r0, c0]

    taus = np.arange(min_size, t - min_size + 1)
    kappas = np.arange(2 * min_size, t + 1)
    tau, kap = np.meshgrid(taus, kappas, indexing="ij")
    ok = kap - tau >= min_size
    tau, kap = tau[ok], kap[ok]
    m, n = tau.astype(float), (kap - tau).astype(float)
    between = block(0, tau, tau, kap)
    within_x = block(0, tau, 0, tau)          # counts each pair twice: divide by m(m-1)
    within_y = block(tau, kap, tau, kap)
    e = 2 * between / (m * n) - within_x / (m * (m - 1)) - within_y / (n * (n - 1))
    q = m * n / (m + n) * e
    i = int(np.argmax(q))
    return float(q[i]), int(tau[i])


def _search(z, bounds, min_size, a):
    """Best split over all segments: (statistic, absolute index)."""
    best = (-np.inf, None)
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        q, tau = _best_split(z[lo:hi], min_size, a)
        if tau is not None and q > best[0]:
            best = (q, lo + tau)
    return best


def e_divisive(series, sig_level=SIG_LEVEL, n_perm=N_PERMUTATIONS, min_size=MIN_SEGMENT,
               a=ALPHA_EXPONENT, rng=None, max_points=10) -> list:
    """Change points of a univariate series, most significant first found, sorted by index."""
    z = np.asarray(series, dtype=float)
    if len(z) < 2 * min_size or np.ptp(z) == 0:
        return []
    scale = np.median(np.abs(z - np.median(z))) or np.std(z) or 1.0
    z = (z - np.median(z)) / scale    # the statistic is scale-equivariant; this keeps it tidy
    rng = rng or np.random.default_rng(12345)
    bounds = [0, len(z)]
    found = []
    while len(found) < max_points:
        stat, idx = _search(z, bounds, min_size, a)
        if idx is None:
            break
        exceed = 0
        for _ in range(n_perm):
            zp = z.copy()
            for lo, hi in zip(bounds[:-1], bounds[1:]):
                zp[lo:hi] = rng.permutation(zp[lo:hi])
            if _search(zp, bounds, min_size, a)[0] >= stat:
                exceed += 1
        p = (exceed + 1) / (n_perm + 1)
        if p > sig_level:
            break
        found.append(ChangePoint(index=idx, statistic=stat, p_value=p))
        bounds = sorted(bounds + [idx])
    return sorted(found, key=lambda c: c.index)
