"""Every bench at a small size, so that none can rot unnoticed (tools/test runs this).

Each bench/bench_*.py declares SMOKE_ARGS: the options of a run of a few seconds (None, with the reason
beside it, for an evaluation of fixed files that has no data setup). A bench that
uses a database (benchlib.odoo_env) runs on its own copy of --template. A bench fails the smoke run
when it exits non-zero, prints no `name: value` line, or does not declare SMOKE_ARGS.

Usage: python bench/smoke.py --template DB [--only NAME,...] -- ODOO_ARGS...
"""

import argparse
import ast
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIGURE = re.compile(r"^[a-z][\w.%-]*: \S", re.MULTILINE)


MISSING = object()


def smoke_args(path):
    """The SMOKE_ARGS a bench declares (None: declared not to be smoke-run), else MISSING."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SMOKE_ARGS" for t in node.targets):
            return ast.literal_eval(node.value)
    return MISSING


def psql_admin(odoo_args, sql):
    """Run one statement on the server's postgres database, with Odoo's connection options."""
    from odoo.sql_db import db_connect  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(odoo_args)
    with db_connect("postgres").cursor() as cr:
        cr._cnx.autocommit = True
        cr.execute(sql)


def run(path, template, odoo_args):
    args = smoke_args(path)
    if args is MISSING:
        return False, "declares no SMOKE_ARGS"
    if args is None:
        return True, "declared not smoke-run: see the bench"
    cmd = [sys.executable, str(path), *args]
    db = None
    if "odoo_env(" in path.read_text():
        db = f"{template}_smoke_{path.stem}"[:63]
        psql_admin(odoo_args, f'DROP DATABASE IF EXISTS "{db}"')
        psql_admin(odoo_args, f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
        cmd = [sys.executable, str(path), "--db", db, *args, "--", *odoo_args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE, timeout=600, check=False)
    finally:
        if db:
            psql_admin(odoo_args, f'DROP DATABASE IF EXISTS "{db}"')
    if done.returncode:
        return False, f"exit {done.returncode}: {done.stderr.strip()[-2000:]}"
    if not FIGURE.search(done.stdout):
        return False, "printed no `name: value` line"
    return True, f"{len(FIGURE.findall(done.stdout))} figures"


def main():
    argv = sys.argv[1:]
    cut = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="a database with the addon installed")
    parser.add_argument("--only", help="comma-separated bench names (default: every bench/bench_*.py)")
    opts = parser.parse_args(argv[:cut])
    odoo_args = argv[cut + 1 :]
    benches = sorted(HERE.glob("bench_*.py"))
    if opts.only:
        benches = [b for b in benches if b.stem in opts.only.split(",")]
    failed = 0
    for path in benches:
        t0 = time.perf_counter()
        ok, detail = run(path, opts.template, odoo_args)
        failed += not ok
        print(f"{path.stem}: {'ok' if ok else 'FAILED'} in {time.perf_counter() - t0:.1f} s ({detail})", flush=True)
    print(f"benches_failed: {failed} of {len(benches)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
