"""Next month's value of a monthly KPI, with an interval. Pure Python: no Odoo, no numpy.

`forecast_next(values)` → {"value", "low", "high", "weights", "backtest_months"} or None (fewer than 3
usable values). `low` and `high` are None where the history is too short for an honest interval.

Method: several simple forecasts ("candidates"), weighted per series by how well each did on that
series' own past (a rolling-origin back-test):

- naive            the last month;
- ses              simple exponential smoothing, α on a grid by the least one-step squared error;
- damped_trend     Holt's linear trend with a damped trend (Gardner & McKenzie), α, β, φ on a grid;
- harmonic         least squares y(t) = a + b·t + c·sin(2πt/12) + d·cos(2πt/12), from 6 values on;
- seasonal_naive   the same month last year, from 12 values on;
- seasonal_change  the same month last year + the mean year-on-year change of the last 3 months,
                   from 16 values on;
- deseasonalised   damped trend on the series minus its monthly profile (each month's mean deviation
                   from the centred 2×12 moving average), the profile added back, from 25 values on.

Back-test: at every origin k (k = 3 … n - horizon) each candidate forecasts month k + horizon - 1 from
months 0 … k-1 only. A candidate's score is its mean squared error over its last 24 origins; weights
are proportional to (best score / score)², and candidates scoring worse than twice the best get none.
"Same month last year" cannot be back-tested with 12 months: until it has 2 back-test errors of its
own it gets a prior share, ½ · min(1, RMSE of the best other candidate / standard deviation of the
series): half where the other methods forecast no better than the series' own spread (the benchmark
monthly data is hard to beat), little where a trend or level explains the series.

Interval: value ± q·σ from the combination's own back-test errors (at each origin, weights from the
errors before it; its last 12 errors e): σ² = (Σ e² + 3·1²) / (m + 3), i.e. shrunk toward 1 point so
that a series that never moved still gets a range, q Student's t quantile with m + 2 degrees of
freedom. With fewer than 6 such errors, or where the interval would span all of 0 … 100, there is no
interval: "not enough history" (low = high = None).

bench/bench_forecast.py back-tests it on 20 real public monthly series (12 for choosing, 8 held out)
with 6, 12 and 24 months of history, beside "same as last month", "same month last year" and
statsmodels' damped-trend ETS; figures in bench/README.md.

The KPIs are percentages: value, low and high are clipped to [0, 100].

Months where a KPI is undefined (None / NaN, its denominator was 0) are not data: inside the series
they are filled by linear interpolation (so that a month stays 12 months from the same month last
year) and never scored in the back-test; at either end they are dropped.
"""

import math
from statistics import NormalDist

SEASON = 12
MIN_VALUES = 3
MIN_SCORED = 1  # back-test errors a candidate needs before it is weighed
SCORE_WINDOW = 24  # the last origins that score a candidate
WEIGHT_POWER = 2  # weights ∝ 1 / MSE^power
KEEP_WITHIN = 2.0  # candidates scoring worse than this × the best get no weight
SEASONAL_PRIOR = 0.5  # share of "same month last year" until it has SEASONAL_SCORED back-test errors
SEASONAL_SCORED = 2
MIN_INTERVAL_ERRORS = 6
INTERVAL_START = 2  # back-test errors of the candidates before the combination's own count
SIGMA_WINDOW = 12  # the last back-test errors of the combination that give the interval
SIGMA_PRIOR = 1.0  # points; pseudo-error that keeps a flat series' interval from zero width
SIGMA_PRIOR_WEIGHT = 3
ALPHAS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0)
BETAS = (0.0, 0.1, 0.2, 0.4)
PHIS = (0.8, 0.9, 0.98)
LOWEST, HIGHEST = 0.0, 100.0


def forecast_next(values, level=0.8, horizon=1):
    """{"value", "low", "high", "weights", "backtest_months"} for the period `horizon` periods after the last
    of `values` (oldest first, one per month), or None with fewer than 3 usable values."""
    if not 0 < level < 1:
        raise ValueError(f"level must be between 0 and 1, not {level}")
    if horizon not in range(1, SEASON + 1):
        raise ValueError(f"horizon must be 1 to {SEASON} months, not {horizon}")
    series, known = _filled(values)
    if sum(known) < MIN_VALUES:
        return None
    forecasts = _backtest(series, horizon)
    weights = _weights(forecasts, series, known, len(series), horizon)
    value = _combine(_candidates(series, horizon), weights)
    scored = sum(known[k + horizon - 1] for k in forecasts)
    errors = _combined_errors(forecasts, series, known, horizon)[-SIGMA_WINDOW:]
    low = high = None
    if len(errors) >= MIN_INTERVAL_ERRORS:
        sigma = math.sqrt((sum(e * e for e in errors) + SIGMA_PRIOR_WEIGHT * SIGMA_PRIOR**2)
                          / (len(errors) + SIGMA_PRIOR_WEIGHT))
        half = student_t_quantile((1 + level) / 2, len(errors) + SIGMA_PRIOR_WEIGHT - 1) * sigma
        if value - half > LOWEST or value + half < HIGHEST:
            low, high = _clip(value - half), _clip(value + half)
    return {
        "value": _clip(value), "low": low, "high": high,
        "weights": {name: round(w, 3) for name, w in sorted(weights.items(), key=lambda x: -x[1])},
        "backtest_months": scored,
    }


def _filled(values):
    """(series, known): undefined months inside the series linearly interpolated, at the ends dropped."""
    ys = [None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
    defined = [i for i, y in enumerate(ys) if y is not None]
    if not defined:
        return [], []
    ys = ys[defined[0]:defined[-1] + 1]
    known = [y is not None for y in ys]
    previous = 0
    for i, y in enumerate(ys):
        if y is None:
            after = next(j for j in range(i + 1, len(ys)) if known[j])
            ys[i] = ys[previous] + (ys[after] - ys[previous]) * (i - previous) / (after - previous)
        elif known[i]:
            previous = i
    return ys, known


# ----------------------------------------------------------------------
# Weighing the candidates by their back-test
# ----------------------------------------------------------------------

def _backtest(series, horizon):
    """{origin k: {candidate: forecast of month k + horizon - 1 from months 0 … k-1}}."""
    return {k: _candidates(series[:k], horizon) for k in range(MIN_VALUES, len(series) - horizon + 1)}


def _weights(forecasts, series, known, end, horizon):
    """{candidate: weight} from the back-test errors of the months before `end`."""
    squared = {}
    origins = [k for k in forecasts if k + horizon - 1 < end and known[k + horizon - 1]]
    for k in origins:
        for name, f in forecasts[k].items():
            squared.setdefault(name, []).append((f - series[k + horizon - 1]) ** 2)
    scores = {name: sum(e[-SCORE_WINDOW:]) / len(e[-SCORE_WINDOW:]) for name, e in squared.items()
              if len(e) >= MIN_SCORED}
    if not scores:
        return {"naive": 1.0}
    best = min(scores.values())
    floor = max(best, 1e-6)
    raw = {name: (floor / max(s, 1e-6)) ** WEIGHT_POWER for name, s in scores.items() if s <= KEEP_WITHIN * floor}
    total = sum(raw.values())
    weights = {name: w / total for name, w in raw.items()}
    if end >= SEASON - horizon + 1 and len(squared.get("seasonal_naive", ())) < SEASONAL_SCORED:
        share = SEASONAL_PRIOR * min(1.0, math.sqrt(best) / _spread(series[:end]))
        weights = {name: w * (1 - share) for name, w in weights.items()}
        weights["seasonal_naive"] = share
    return weights


def _spread(ys):
    mean = sum(ys) / len(ys)
    return max(1e-6, math.sqrt(sum((y - mean) ** 2 for y in ys) / len(ys)))


def _combine(candidates, weights):
    usable = {name: w for name, w in weights.items() if name in candidates}
    total = sum(usable.values())
    if total <= 0:
        return candidates["naive"]
    return sum(candidates[name] * w for name, w in usable.items()) / total


def _combined_errors(forecasts, series, known, horizon):
    """Back-test errors of the combination itself: at each origin, weights from the errors before it."""
    errors = []
    for k, candidates in forecasts.items():
        target = k + horizon - 1
        if not known[target]:
            continue
        if k < MIN_VALUES + INTERVAL_START + horizon - 1:
            continue  # too little was weighed yet for an error like the method's own
        weights = _weights(forecasts, series, known, k, horizon)
        errors.append(series[target] - _combine(candidates, weights))
    return errors


# ----------------------------------------------------------------------
# Candidates: each forecasts month n + horizon - 1 from months 0 … n-1
# ----------------------------------------------------------------------

def _candidates(ys, horizon):
    n = len(ys)
    result = {"naive": ys[-1]}
    if n >= 3:
        result["ses"] = _ses(ys)
        result["damped_trend"] = _damped_trend(ys, horizon)
    if n >= 6:
        result["harmonic"] = _harmonic(ys, horizon)
    if n >= SEASON - horizon + 1:
        result["seasonal_naive"] = ys[n + horizon - 1 - SEASON]
    if n >= SEASON + 4:
        change = sum(ys[n - j] - ys[n - j - SEASON] for j in range(1, 4)) / 3
        result["seasonal_change"] = ys[n + horizon - 1 - SEASON] + change
    if n >= 2 * SEASON + 1:
        profile = _monthly_profile(ys)
        adjusted = [y - profile[t % SEASON] for t, y in enumerate(ys)]
        result["deseasonalised"] = _damped_trend(adjusted, horizon) + profile[(n + horizon - 1) % SEASON]
    return result


def _ses(ys):
    best = None
    for alpha in ALPHAS:
        level, sse = ys[0], 0.0
        for y in ys[1:]:
            sse += (y - level) ** 2
            level += alpha * (y - level)
        if best is None or sse < best[0]:
            best = (sse, level)
    return best[1]


def _damped_trend(ys, horizon):
    best = None
    for alpha in ALPHAS:
        for beta in BETAS:
            for phi in PHIS:
                level, trend, sse = ys[1], ys[1] - ys[0], 0.0
                for y in ys[2:]:
                    expected = level + phi * trend
                    sse += (y - expected) ** 2
                    new_level = expected + alpha * (y - expected)
                    trend = beta * (new_level - level) + (1 - beta) * phi * trend
                    level = new_level
                if best is None or sse < best[0]:
                    best = (sse, level, trend, phi)
    _sse, level, trend, phi = best
    return level + trend * sum(phi**i for i in range(1, horizon + 1))


def _monthly_profile(ys):
    """Each month's (t mod 12) mean deviation from the centred 2×12 moving average, summing to 0."""
    deviations = [[] for _ in range(SEASON)]
    for t in range(SEASON // 2, len(ys) - SEASON // 2):
        window = ys[t - 6:t + 7]
        trend = (sum(window[1:-1]) + (window[0] + window[-1]) / 2) / SEASON
        deviations[t % SEASON].append(ys[t] - trend)
    profile = [sum(d) / len(d) if d else 0.0 for d in deviations]
    mean = sum(profile) / SEASON
    return [p - mean for p in profile]


def _harmonic(ys, horizon):
    """Least squares y(t) = a + b·t + c·sin(2πt/12) + d·cos(2πt/12), evaluated at t = n + horizon - 1."""
    rows = [_harmonic_row(t) for t in range(len(ys))]
    normal = [[sum(r[i] * r[j] for r in rows) for j in range(4)] for i in range(4)]
    rhs = [sum(r[i] * y for r, y in zip(rows, ys, strict=True)) for i in range(4)]
    coef = _solve(normal, rhs)
    if coef is None:
        return ys[-1]
    return sum(c * x for c, x in zip(coef, _harmonic_row(len(ys) + horizon - 1), strict=True))


def _harmonic_row(t):
    angle = 2 * math.pi * t / SEASON
    return [1.0, float(t), math.sin(angle), math.cos(angle)]


def _solve(matrix, rhs):
    """Gaussian elimination with partial pivoting (a 4×4 system); None if singular."""
    n = len(rhs)
    m = [row[:] + [b] for row, b in zip(matrix, rhs, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        if abs(m[col][col]) < 1e-9:
            return None
        for r in range(col + 1, n):
            factor = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= factor * m[col][c]
    coef = [0.0] * n
    for r in reversed(range(n)):
        coef[r] = (m[r][n] - sum(m[r][c] * coef[c] for c in range(r + 1, n))) / m[r][r]
    return coef


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
    return round(min(HIGHEST, max(LOWEST, x)), 6)
