"""Script experiments: which variant a claim gets, and how a variant compares with the control.
Pure Python: no Odoo, no numpy.

Assignment (`variant_index`): bucket = the first 8 bytes of SHA-256("<experiment id>:<claim id>")
modulo 10,000; the variants take consecutive ranges of buckets in proportion to their shares
(whole percentages adding up to 100). The hash is uniform, so the shares hold on a large batch,
and it is a function of the two ids only: a rerun, a retry or the claim's next callback gets the
same variant, whatever the order or the batch the callbacks are created in.

Comparison with the control, at `level` (`comparison_level`: 95 % with one challenger; with k
challengers each is compared at 1 − 5 %/k, Bonferroni, so the chance that any "leads" by luck
stays at most 5 %):

- a rate (completion, satisfaction, complaints): difference of two proportions with Newcombe's
  hybrid score interval (Newcombe 1998, method 10), built from each proportion's Wilson score
  interval. It keeps its coverage with small counts and rates near 0 or 100 %, where the plain
  Wald interval (difference ± z·SE) does not;
- a mean (NPS, each answer scoring +100 for 9–10, 0 for 7–8, −100 for 0–6, whose mean is the
  NPS; call minutes): Welch's interval, difference ± t·√(s₁²/n₁ + s₀²/n₀) with the
  Welch–Satterthwaite degrees of freedom: the variants' variances need not be equal.

Every figure is in the metric's unit: percentage points for rates and NPS, minutes for calls.
"""

import hashlib
import math
from statistics import NormalDist

BUCKETS = 10_000
FAMILY_ERROR = 0.05


def bucket(experiment_id, claim_id):
    """The claim's bucket (0 to 9,999) in the experiment: uniform, stable, independent between experiments."""
    digest = hashlib.sha256(f"{experiment_id}:{claim_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def variant_index(experiment_id, claim_id, shares):
    """Index in `shares` (whole percentages adding up to 100) of the claim's variant."""
    position, edge = bucket(experiment_id, claim_id), 0
    for index, share in enumerate(shares):
        edge += share * BUCKETS // 100
        if position < edge:
            return index
    return len(shares) - 1


def comparison_level(challengers):
    """Confidence level of each challenger's interval: 95 % for one, Bonferroni beyond."""
    return 1 - FAMILY_ERROR / max(challengers, 1)


def wilson(successes, trials, level=0.95):
    """Wilson score interval (low, high) of a proportion, as fractions."""
    z = NormalDist().inv_cdf((1 + level) / 2)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_difference(successes, trials, control_successes, control_trials, level=0.95):
    """(difference, low, high) of two rates in percentage points, Newcombe's method 10; None without trials."""
    if not trials or not control_trials:
        return None
    p1, p0 = successes / trials, control_successes / control_trials
    low1, high1 = wilson(successes, trials, level)
    low0, high0 = wilson(control_successes, control_trials, level)
    difference = p1 - p0
    low = difference - math.sqrt((p1 - low1) ** 2 + (high0 - p0) ** 2)
    high = difference + math.sqrt((high1 - p1) ** 2 + (p0 - low0) ** 2)
    return _points(difference), _points(low), _points(high)


def mean_difference(mean, variance, count, control_mean, control_variance, control_count, level=0.95):
    """(difference, low, high) of two means, Welch's interval; None with fewer than 2 values on a side."""
    if count < 2 or control_count < 2:
        return None
    v1, v0 = variance / count, control_variance / control_count
    difference = mean - control_mean
    if not v1 + v0:
        return round(difference, 6), round(difference, 6), round(difference, 6)
    df = (v1 + v0) ** 2 / (v1 * v1 / (count - 1) + v0 * v0 / (control_count - 1))
    half = t_quantile((1 + level) / 2, df) * math.sqrt(v1 + v0)
    return round(difference, 6), round(difference - half, 6), round(difference + half, 6)


def t_quantile(p, df):
    """Quantile p of Student's t with df (possibly fractional) degrees of freedom: the Cornish-Fisher
    expansion to 1/df⁴ (Abramowitz & Stegun 26.7.5), within 0.1 % of the exact value from df 4 at
    p ≤ 0.99 and exact in its first 4 digits from df 8; lib/forecast.py's two-term expansion is off
    by 1-4 % there, enough to move a bound of a 95 % interval."""
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def verdict(difference, higher_is_better=True):
    """'leads', 'trails' or 'unclear' for a (difference, low, high) against the control."""
    _difference, low, high = difference
    if low > 0 or high < 0:
        better = low > 0 if higher_is_better else high < 0
        return "leads" if better else "trails"
    return "unclear"


def _points(fraction):
    return round(100 * fraction, 6)
