"""Next month's value of a monthly KPI, with an interval. Pure Python: no Odoo, no numpy.

`forecast_next(values)` → {"value", "low", "high"} or None (fewer than 3 usable values).

Method: Holt's linear trend (double exponential smoothing), with the trend optionally damped
(Gardner & McKenzie): with the level l, the trend b and the damping φ (φ = 1: plain Holt),

    one-step forecast   ŷ(t) = l(t-1) + φ·b(t-1)
    level               l(t) = α·y(t) + (1-α)·ŷ(t)
    trend               b(t) = β·(l(t) - l(t-1)) + (1-β)·φ·b(t-1)

starting from l(1) = y(1), b(1) = y(1) - y(0). α, β and φ, unless given, are the triple of a small
grid (α 0.1…1.0, β 0.0…0.9, steps of 0.1; φ 0.8, 0.9, 1.0) with the least one-step-ahead squared
error on the series itself (ties go to the first triple of the grid). A series of 3 values has one
residual, which every triple fits equally well: it uses DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_PHI.
bench/bench_forecast.py back-tests it; damping was added because it lowered the error in every
scenario there (plain Holt over-extrapolates a trend that turns, as a seasonal one does).

Interval: value ± q·σ from the m one-step residuals (t = 2 … n-1): σ² = their sum of squares / df,
df = m minus the number of fitted parameters (at least 1), q the Student t quantile with df degrees
of freedom (1.2816 for a long series at level 0.8; 1.64 at df 3, 3.08 at df 1): both widen the
interval of a short series, whose σ is itself uncertain and flattered by the fit. A series the
model fits exactly (flat, or exactly linear) has σ = 0: its interval is the value itself.

The KPIs are percentages: value, low and high are clipped to [0, 100].

Entries that are None or NaN are skipped: a KPI that was undefined in a month (its denominator was
0) is not part of the history, and the months around it are treated as adjacent.
"""

import math
from statistics import NormalDist

ALPHAS = tuple(i / 10 for i in range(1, 11))
BETAS = tuple(i / 10 for i in range(10))
PHIS = (0.8, 0.9, 1.0)
DEFAULT_ALPHA = 0.5
DEFAULT_BETA = 0.3
DEFAULT_PHI = 0.9
MIN_VALUES = 3
LOWEST, HIGHEST = 0.0, 100.0


def forecast_next(values, alpha=None, beta=None, level=0.8, phi=None):
    """{"value", "low", "high"} for the period after `values` (oldest first), or None with fewer than
    3 usable values. alpha / beta / phi: fixed parameters instead of the fitted ones."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    for name, x, zero_ok in (("alpha", alpha, False), ("beta", beta, True), ("phi", phi, False)):
        if x is not None and not (0 <= x <= 1 if zero_ok else 0 < x <= 1):
            raise ValueError(f"{name} is out of range: {x}")
    series = [float(v) for v in values if v is not None and not math.isnan(v)]
    if len(series) < MIN_VALUES:
        return None
    params, fitted = _parameters(series, alpha, beta, phi)
    value, residuals = _holt(series, *params)
    df = max(1, len(residuals) - fitted)
    sigma = math.sqrt(sum(e * e for e in residuals) / df)
    half = student_t_quantile((1 + level) / 2, df) * sigma
    return {"value": _clip(value), "low": _clip(value - half), "high": _clip(value + half)}


def _parameters(series, alpha, beta, phi):
    """((α, β, φ), how many of them were fitted): the given ones, the grid's with the least
    one-step squared error for the others, the defaults for a series too short to fit."""
    given = (alpha, beta, phi)
    if len(series) == MIN_VALUES:
        defaults = (DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_PHI)
        return tuple(d if g is None else g for g, d in zip(given, defaults, strict=True)), 0
    grids = [grid if g is None else (g,) for g, grid in zip(given, (ALPHAS, BETAS, PHIS), strict=True)]
    best = None
    for a in grids[0]:
        for b in grids[1]:
            for p in grids[2]:
                sse = sum(e * e for e in _holt(series, a, b, p)[1])
                if best is None or sse < best[0]:
                    best = (sse, (a, b, p))
    return best[1], sum(g is None for g in given)


def _holt(series, alpha, beta, phi):
    """(forecast of the next period, one-step residuals y(t) - ŷ(t) for t = 2 … n-1)."""
    level, trend = series[1], series[1] - series[0]
    residuals = []
    for y in series[2:]:
        expected = level + phi * trend
        residuals.append(y - expected)
        new_level = alpha * y + (1 - alpha) * expected
        trend = beta * (new_level - level) + (1 - beta) * phi * trend
        level = new_level
    return level + phi * trend, residuals


def student_t_quantile(p, df):
    """Quantile p (0.5 < p < 1) of Student's t with df degrees of freedom: exact for df 1 and 2,
    the Cornish-Fisher expansion around the normal quantile above (within 0.7 % from df 3)."""
    if df == 1:
        return math.tan(math.pi * (p - 0.5))
    if df == 2:
        return (2 * p - 1) / math.sqrt(2 * p * (1 - p))
    z = NormalDist().inv_cdf(p)
    return z + (z**3 + z) / (4 * df) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)


def _clip(x):
    return min(HIGHEST, max(LOWEST, x))
