"""What the bench scripts share: Odoo bootstrap, `name: value` output, timing, query counts, RSS.

Odoo is imported only where a database is used, so bench_sentiment.py can use `out` without it.
"""

import argparse
import contextlib
import resource
import sys
import time


def out(name, value):
    print(f"{name}: {round(value, 3) if isinstance(value, float) else value}", flush=True)


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 1024 / 1024


def parser(doc):
    """An argument parser described by the script's docstring, with the required --db."""
    result = argparse.ArgumentParser(description=doc.splitlines()[0])
    result.add_argument("--db", required=True)
    return result


@contextlib.contextmanager
def odoo_env(arg_parser, user_context=True):
    """Yield (options, env): the script's options come before `--` on the command line, Odoo's after it;
    env is a superuser environment on a cursor of the --db database (with the user's context by default)."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    opts = arg_parser.parse_args(argv[:cut])
    config.parse_config([*argv[cut + 1 :], "--log-level=warn"], setup_logging=True)
    registry = Registry(opts.db)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        yield opts, env(context=env["res.users"].context_get()) if user_context else env


def sql_counter():
    """Queries run so far by every cursor of this process."""
    from odoo import sql_db  # noqa: PLC0415

    return sql_db.sql_counter


def timed(fn, counter=sql_counter):
    """(result, seconds, queries) of one call of fn()."""
    q0, t0 = counter(), time.perf_counter()
    result = fn()
    return result, time.perf_counter() - t0, counter() - q0


def best_of(env, fn, runs=3):
    """(best seconds, queries of that run, result) over `runs` calls of fn(), the cache cleared before each;
    the queries of env's cursor only."""
    best = None
    for _ in range(runs):
        env.invalidate_all()
        result, elapsed, queries = timed(fn, lambda: env.cr.sql_log_count)
        if best is None or elapsed < best[0]:
            best = (elapsed, queries, result)
    return best


def run_batches(env, step, after=None):
    """Call step() -> (processed, remaining) until nothing remains or nothing was processed, each call
    flushed, its queries counted (the COMMIT excluded), committed, and the cache cleared; after() then.
    Returns (seconds, queries per call, total processed)."""
    from odoo import sql_db  # noqa: PLC0415

    queries, total, t0 = [], 0, time.perf_counter()
    while True:
        q0 = sql_db.sql_counter
        processed, remaining = step()
        env.flush_all()
        queries.append(sql_db.sql_counter - q0)
        env.cr.commit()
        env.invalidate_all()
        if after:
            after()
        total += processed
        if not remaining or not processed:
            break
    return time.perf_counter() - t0, queries, total
