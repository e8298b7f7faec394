"""Benchmark of the reward ledger: balances and the expiry cron.

Run through bench/run_bench_reward.sh, or by hand on a database that has the addon:
    python bench/bench_reward.py --db DB [--partners 100000] [--per-partner 10] -- ODOO_ARGS...

Data (created in SQL, committed): P partners with `per-partner` entries each
(70 % earn entries of which about half are past their validity, redemptions, adjustments).
Figures, as `name: value` lines:
  balance   claim.reward.entry._balances(all partners, company): one _read_group;
  field     partners.mapped("reward_points") on an empty record cache (the form / list path);
  raw SQL   SELECT partner_id, SUM(points) ... GROUP BY partner_id (the baseline, same run; also once
            with the `partner_id IN (...)` list of all partners);
            measured in --rounds alternating rounds (addon, raw, addon, raw, ...), each round printed,
            then the median ratio and its range: cold (the registry's ormcaches and the record cache
            cleared before each addon call, as in a worker that just started), then warm (the record
            cache only, as in a new request). PostgreSQL's buffers are warm in both modes;
  expiry    _expire_points(batch) + commit until nothing remains, then a rerun (must write 0).

With --expiry-lots 100000,1000000 (--expiry-only: nothing else) the bench then runs the expiry cron at each of
these numbers of lots due (about 3.4 a customer: lots / 3.36 customers of 10 entries, VACUUMed as autovacuum leaves
an old ledger), after the code before issue 23 on the same data (`expire_before`: the anti-join, the CTE statement,
set_param), which stops after --before-max-s seconds (each of its batches is slower than the last). Between the two
runs the first one's expiries are deleted and the table VACUUMed and ANALYZEd (its statistics then know no expiry,
as in a catch-up run before autovacuum's ANALYZE). --explain: EXPLAIN (ANALYZE, BUFFERS) of one batch's statements.
To keep the data's creation out of a measurement: `--expiry-build N` in one database per size, then
`--expiry-only --expiry-lots 100000,1000000 --expiry-dbs DB1,DB2`.
"""

import contextlib
import itertools
import math
import re
import statistics
import time

from benchlib import odoo_env, out, parser, run_batches, timed

SMOKE_ARGS = [
    "--partners",
    "200",
    "--per-partner",
    "3",
    "--batch",
    "100",
    "--rounds",
    "5",
    "--expiry-lots",
    "300",
]  # bench/smoke.py (tools/test)
RULES = 1000  # earn entries are unique per (rule, callback): RULES x CALLBACKS pairs
_RUNS = itertools.count()


def data_tag():
    """A tag for one data set's names and claim numbers (unique per company): the time of day and a counter, as a
    run may build two data sets within the same second."""
    return f"{time.strftime('%H%M%S')}{next(_RUNS)}"


def create_data(env, n_partners, per_partner, tag):
    cr = env.cr
    company = env.company
    rules = env["claim.reward.rule"].create(
        [{"name": f"Bench {tag} {i}", "event": "survey_completed", "points": 10, "active": False} for i in range(RULES)]
    )
    n_earn = n_partners * per_partner * 7 // 10
    n_callbacks = -(-n_earn // RULES)
    partner = env["res.partner"].create({"name": f"Bench {tag} claimant"})
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    tickets = (
        env["helpdesk.ticket"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "name": f"B{tag}-{i}",
                    "description": "x",
                    "is_claim": True,
                    "claim_number": f"B{tag}-{i}",
                    "partner_id": partner.id,
                    "stage_id": stage.id,
                }
                for i in range(n_callbacks)
            ]
        )
    )
    callbacks = (
        env["claim.callback"]
        .with_context(tracking_disable=True)
        .create([{"ticket_id": t.id, "partner_id": partner.id, "company_id": company.id} for t in tickets])
    )
    cr.commit()
    cr.execute(
        """INSERT INTO res_partner (name, active, type, is_company, callback_consent, create_date, write_date,
                                   create_uid, write_uid)
           SELECT 'Bench ' || %s || ' ' || g, true, 'contact', false, 'granted', now(), now(), 1, 1
             FROM generate_series(1, %s) g RETURNING id""",
        [tag, n_partners],
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    cr.execute(
        """CREATE TEMP TABLE bench_pairs AS
           SELECT row_number() OVER () - 1 AS i, r.id AS rule_id, c.id AS callback_id
             FROM unnest(%s::int[]) r(id) CROSS JOIN unnest(%s::int[]) c(id)""",
        [rules.ids, callbacks.ids],
    )
    common = "create_date, write_date, create_uid, write_uid, user_id"
    # earn: 7 per partner, earned 1 to 700 days ago, valid 12 months: about half expired
    cr.execute(
        f"""INSERT INTO claim_reward_entry (partner_id, company_id, kind, points, reason, rule_id, callback_id,
                                            date, expiry_date, {common})
            SELECT (%(partners)s::int[])[1 + b.i %% %(np)s], %(company)s, 'earn', 10, 'bench', b.rule_id, b.callback_id,
                   now() - (1 + b.i %% 700) * interval '1 day',
                   now() - (1 + b.i %% 700) * interval '1 day' + interval '365 days',
                   now(), now(), 1, 1, 1
              FROM bench_pairs b
             WHERE b.i < %(n_earn)s""",
        {"np": n_partners, "company": company.id, "partners": partner_ids, "n_earn": n_earn},
    )
    rest = n_partners * per_partner - n_earn
    # the rest: redemptions of 5 and adjustments of +3, spread over the same partners
    cr.execute(
        f"""INSERT INTO claim_reward_entry (partner_id, company_id, kind, points, reason, date, {common})
            SELECT (%(partners)s::int[])[1 + g %% %(np)s], %(company)s,
                   CASE WHEN g %% 3 = 0 THEN 'adjust' ELSE 'redeem' END,
                   CASE WHEN g %% 3 = 0 THEN 3 ELSE -5 END, 'bench',
                   now() - (g %% 500) * interval '1 day', now(), now(), 1, 1, 1
              FROM generate_series(0, %(rest)s - 1) g""",
        {"np": n_partners, "company": company.id, "partners": partner_ids, "rest": rest},
    )
    cr.execute("DROP TABLE bench_pairs")
    cr.execute("ANALYZE claim_reward_entry")
    cr.commit()
    return env["res.partner"].browse(partner_ids)


def bench_balances(env, partners, rounds):
    """Balances against the raw GROUP BY in `rounds` alternating rounds (addon, raw, addon, raw, ...),
    cold then warm; each round printed, then the median ratio per mode."""
    Entry = env["claim.reward.entry"]
    company = env.company

    def raw():
        env.cr.execute(
            "SELECT partner_id, SUM(points) FROM claim_reward_entry WHERE company_id = %s GROUP BY partner_id",
            [company.id],
        )
        return dict(env.cr.fetchall())

    def raw_same_partners():
        env.cr.execute(
            "SELECT partner_id, SUM(points) FROM claim_reward_entry WHERE company_id = %s AND partner_id IN %s"
            " GROUP BY partner_id",
            [company.id, tuple(partners.ids)],
        )
        return dict(env.cr.fetchall())

    def clear(cold):
        env.invalidate_all()  # every mode: a new request has no record cache
        if cold:
            env.registry.clear_all_caches()  # a worker that just started: no ormcache either

    out("partners", len(partners))
    out("balance_rounds", rounds)
    ok = True
    for mode in ("cold", "warm"):
        ratios, field_ratios = [], []
        for i in range(1, rounds + 1):
            clear(mode == "cold")
            balances, orm_s, orm_q = timed(lambda: Entry._balances(partners, company))
            raw_balances, raw_s, raw_q = timed(raw)
            clear(mode == "cold")
            field_values, field_s, field_q = timed(lambda: partners.mapped("reward_points"))
            if i == 1:
                ok = ok and all(balances.get(p, 0) == raw_balances.get(p.id, 0) for p in partners)
                ok = ok and field_values == [raw_balances.get(p.id, 0) for p in partners]
            ratios.append(orm_s / raw_s)
            field_ratios.append(field_s / raw_s)
            out(
                f"balance_{mode}_round_{i}",
                f"addon_read_group_s {orm_s:.3f} ({orm_q} q), raw_sql_s {raw_s:.3f} ({raw_q} q),"
                f" ratio {orm_s / raw_s:.2f}; reward_points_field_s {field_s:.3f} ({field_q} q),"
                f" ratio {field_s / raw_s:.2f}",
            )
        suffix = "" if mode == "warm" else "_cold"
        out(f"reward_balance_ratio_median{suffix}", statistics.median(ratios))
        out(f"reward_balance_ratio_range{suffix}", f"{min(ratios):.2f}-{max(ratios):.2f}")
        out(f"reward_points_field_ratio_median{suffix}", statistics.median(field_ratios))
        out(f"reward_points_field_ratio_range{suffix}", f"{min(field_ratios):.2f}-{max(field_ratios):.2f}")
    _, raw_in_s, _ = timed(raw_same_partners)
    out("raw_sql_group_by_same_partner_list_s", raw_in_s)
    out("balance_matches_raw_sql", ok)
    median = statistics.median(ratios)
    out("target_le_1.5x_raw_sql_median_warm", "PASS" if median <= 1.5 else "FAIL")


def bench_expiry(env, batch):
    Entry = env["claim.reward.entry"]
    env.cr.execute("SELECT count(*) FROM claim_reward_entry")
    out("entries", env.cr.fetchone()[0])
    expiry_s, queries, processed_total = run_batches(env, lambda: Entry._expire_points(batch))
    env.cr.execute("SELECT count(*), coalesce(sum(points), 0) FROM claim_reward_entry WHERE kind = 'expire'")
    written, points = env.cr.fetchone()
    t1 = time.perf_counter()
    rerun = Entry._expire_points(batch)
    rerun_s = time.perf_counter() - t1
    env.cr.commit()
    out("expiry_batch_size", batch)
    out("expiry_s", expiry_s)
    out("expiry_lots_processed", processed_total)
    out("expiry_lots_per_s", processed_total / expiry_s if expiry_s else 0.0)
    out("expiry_entries_written", written)
    out("expiry_points_expired", -points)
    out("expiry_batches", len(queries))
    out("expiry_queries_per_batch_max", max(queries))
    out("expiry_queries_per_batch_avg", sum(queries) / len(queries))
    out("expiry_rerun_result", rerun)
    out("expiry_rerun_s", rerun_s)
    out("expiry_idempotent", rerun == (0, 0))


LOTS_PER_CUSTOMER = 3.36  # due lots a customer of create_data has: 7 earn entries, about 48 % past validity
WATERMARK = "insurance_claim_callback.reward_expiry_watermark"

# The code before issue 23 point 1 (commit 92fbe46), kept here only to measure against.
BEFORE_QUERY_EXPIRABLE = """
    SELECT e.id, e.expiry_date FROM claim_reward_entry e
     WHERE e.kind = 'earn' AND e.expiry_date IS NOT NULL AND e.expiry_date <= %(now)s
       AND (e.expiry_date, e.id) > (%(mark_date)s, %(mark_id)s)
       AND NOT EXISTS (SELECT 1 FROM claim_reward_entry x WHERE x.kind = 'expire' AND x.origin_id = e.id)
  ORDER BY e.expiry_date, e.id LIMIT %(limit)s"""
BEFORE_INSERT = """
    WITH lots AS (
        SELECT id, partner_id, company_id, reason FROM claim_reward_entry WHERE id = ANY(%(lots)s)
    ), ledgers AS (
        SELECT DISTINCT partner_id, company_id FROM lots
    ), entries AS (
        SELECT e.id, e.partner_id, e.company_id, e.kind, e.points, e.date, e.origin_id
          FROM claim_reward_entry e JOIN ledgers USING (partner_id, company_id)
         WHERE e.partner_id = ANY(%(partners)s)
    ), debits AS (
        SELECT partner_id, company_id, -sum(points) AS points FROM entries
         WHERE kind IN ('redeem', 'adjust') AND points < 0
      GROUP BY partner_id, company_id
    ), expired AS (
        SELECT origin_id, -sum(points) AS points FROM entries WHERE kind = 'expire' GROUP BY origin_id
    ), credits AS (
        SELECT c.id, c.partner_id, c.company_id, c.points - COALESCE(x.points, 0) AS available,
               COALESCE(sum(c.points - COALESCE(x.points, 0)) OVER (
                   PARTITION BY c.partner_id, c.company_id ORDER BY c.date, c.id
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
          FROM entries c LEFT JOIN expired x ON x.origin_id = c.id
         WHERE c.kind IN ('earn', 'adjust') AND c.points > 0
    )
    INSERT INTO claim_reward_entry (kind, partner_id, company_id, origin_id, points, reason, date, user_id,
                                    create_uid, create_date, write_uid, write_date)
    SELECT 'expire', c.partner_id, c.company_id, c.id,
           -(c.available - LEAST(c.available, GREATEST(COALESCE(d.points, 0) - c.before, 0))),
           lots.reason, %(now)s, %(uid)s, %(uid)s, %(now)s, %(uid)s, %(now)s
      FROM credits c JOIN lots ON lots.id = c.id
 LEFT JOIN debits d ON d.partner_id = c.partner_id AND d.company_id = c.company_id
    ON CONFLICT (origin_id) WHERE origin_id IS NOT NULL DO NOTHING"""  # the unique index of today's schema


def expire_before(env, limit):
    """_expire_points(limit) as it was before issue 23 point 1 (same result, same watermark)."""
    from odoo import fields  # noqa: PLC0415

    from odoo.addons.insurance_claim_callback.models.batch import lock_batch  # noqa: PLC0415

    Entry = env["claim.reward.entry"].sudo()
    params = env["ir.config_parameter"].sudo()
    now = fields.Datetime.now()
    mark = params.get_param(WATERMARK)
    mark_date, mark_id = mark.split("|") if mark else ("1970-01-01 00:00:00", 0)
    env.cr.execute(BEFORE_QUERY_EXPIRABLE, {"now": now, "mark_date": mark_date, "mark_id": int(mark_id),
                                            "limit": 2 * limit})
    rows = env.cr.fetchall()
    batch, waiting = rows[:limit], rows[limit:]
    if not batch:
        return 0, 0
    locked = lock_batch(Entry.browse([row[0] for row in batch]))
    if locked:
        env.flush_all()
        env.cr.execute(BEFORE_INSERT, {"lots": list(locked.ids), "partners": list(set(locked.mapped("partner_id").ids)),
                                       "now": now, "uid": env.uid})
        Entry.invalidate_model()
    leading = next((i for i, row in enumerate(batch) if row[0] not in locked._ids), len(batch))
    if leading:
        entry_id, date = batch[leading - 1]
        params.set_param(WATERMARK, f"{fields.Datetime.to_string(date)}|{entry_id}")
    return len(locked), len(waiting) + len(batch) - len(locked)


def vacuum_ledger(env):
    """VACUUM ANALYZE the ledger: its pages all-visible (index-only scans), as autovacuum leaves an old ledger."""
    env.cr.commit()
    with env.cr._cnx.cursor() as raw:  # VACUUM cannot run in a transaction
        env.cr._cnx.autocommit = True
        raw.execute("VACUUM ANALYZE claim_reward_entry")
        env.cr._cnx.autocommit = False


def reset_expiry(env):
    """No expiry written, no watermark: the state before the first run."""
    env.cr.execute("DELETE FROM claim_reward_entry WHERE kind = 'expire'")
    env["ir.config_parameter"].sudo().set_param(WATERMARK, False)
    env.cr.commit()
    env.invalidate_all()


def run_expiry(env, step, max_s):
    """Call step() until nothing remains (or max_s seconds passed), each call flushed, its queries counted
    (the COMMIT excluded), committed. Returns (seconds, processed, queries per call, seconds per call, finished)."""
    from odoo import sql_db  # noqa: PLC0415

    queries, times, total, t0 = [], [], 0, time.perf_counter()
    while True:
        q0, t1 = sql_db.sql_counter, time.perf_counter()
        processed, remaining = step()
        env.flush_all()
        queries.append(sql_db.sql_counter - q0)
        env.cr.commit()
        env.invalidate_all()
        times.append(time.perf_counter() - t1)
        total += processed
        if not remaining or not processed:
            return time.perf_counter() - t0, total, queries, times, True
        if max_s and time.perf_counter() - t0 > max_s:
            return time.perf_counter() - t0, total, queries, times, False


def explain_batch(env, batch):
    """EXPLAIN (ANALYZE, BUFFERS) of the statements of one batch of the cron (rolled back)."""
    from odoo.sql_db import Cursor  # noqa: PLC0415
    from odoo.tools import SQL  # noqa: PLC0415

    captured, execute = [], Cursor.execute

    def capture(cr, query, params=None, log_exceptions=True):
        if re.search(r"claim_reward_entry e\b", str(getattr(query, "code", query))):
            captured.append(query)
        return execute(cr, query, params, log_exceptions)

    Cursor.execute = capture
    try:
        env["claim.reward.entry"]._expire_points(batch)
    finally:
        Cursor.execute = execute
        env.cr.rollback()
    for query in captured:
        env.cr.execute("SET LOCAL jit = off")  # as the cron runs them
        env.cr.execute(SQL("EXPLAIN (ANALYZE, BUFFERS) %s", query))
        for (line,) in env.cr.fetchall():
            print("    " + re.sub(r"\{[0-9,]{40,}\}", "{...}", line), flush=True)
        env.cr.rollback()


def build_expiry_data(env, n):
    """A ledger of about n lots due (replacing any other), VACUUMed."""
    env.cr.execute("DELETE FROM claim_reward_entry")
    reset_expiry(env)
    t0 = time.perf_counter()
    create_data(env, math.ceil(n / LOTS_PER_CUSTOMER), 10, data_tag())
    # the lots earned 365 days ago expire now: an hour earlier, so that both runs have the same lots due
    env.cr.execute("""UPDATE claim_reward_entry SET expiry_date = expiry_date - interval '1 hour'
                       WHERE kind = 'earn' AND expiry_date > now() AT TIME ZONE 'UTC' - interval '1 hour'
                         AND expiry_date <= now() AT TIME ZONE 'UTC' + interval '1 hour'""")
    vacuum_ledger(env)
    out(f"lots_{n}_create_data_s", time.perf_counter() - t0)


def bench_expiry_size(env, n, batch, before_max_s, explain):
    """The expiry cron on the lots due of env's database, beside the code before on the same data;
    {code: lots/s}."""
    Entry = env["claim.reward.entry"]
    env.cr.execute("SELECT count(*) FROM claim_reward_entry WHERE kind <> 'expire'")
    out(f"lots_{n}_ledger_entries", env.cr.fetchone()[0])
    env.cr.execute(
        "SELECT count(*) FROM claim_reward_entry WHERE kind = 'earn' AND expiry_date <= now() AT TIME ZONE 'UTC'"
    )
    out(f"lots_{n}_lots_due", env.cr.fetchone()[0])
    rates = {}
    for code, step, max_s in (("before", lambda: expire_before(env, batch), before_max_s),
                              ("cron", lambda: Entry._expire_points(batch), 0)):
        reset_expiry(env)
        vacuum_ledger(env)
        seconds, processed, queries, times, finished = run_expiry(env, step, max_s)
        prefix = f"lots_{n}_{code}"
        out(f"{prefix}_lots_processed", processed)
        out(f"{prefix}_finished", finished if finished else f"no: stopped after {before_max_s} s")
        out(f"{prefix}_s", seconds)
        out(f"{prefix}_lots_per_s", processed / seconds)
        out(f"{prefix}_batches", len(times))
        out(f"{prefix}_queries_per_batch_max", max(queries))
        out(f"{prefix}_batch_s_first_last", f"{times[0]:.3f} {times[-1]:.3f}")
        rates[code] = processed / seconds
        if code == "before":
            env.cr.execute("DROP TABLE IF EXISTS bench_before_expiries")
            env.cr.execute("CREATE TABLE bench_before_expiries AS "
                           "SELECT origin_id, points FROM claim_reward_entry WHERE kind = 'expire'")
    # every lot the code before expired, the cron expired by as many points
    env.cr.execute("""SELECT count(*), count(*) FILTER (WHERE e.points IS DISTINCT FROM b.points)
                        FROM bench_before_expiries b
                   LEFT JOIN claim_reward_entry e ON e.kind = 'expire' AND e.origin_id = b.origin_id""")
    compared, differing = env.cr.fetchone()
    env.cr.execute("DROP TABLE bench_before_expiries")
    env.cr.commit()
    out(f"lots_{n}_expiries_compared_with_before", compared)
    out(f"lots_{n}_expiries_differing_from_before", differing)
    out(f"lots_{n}_cron_rerun_result", Entry._expire_points(batch))
    env.cr.commit()
    out(f"lots_{n}_speedup_vs_before", rates["cron"] / rates["before"])
    if explain:
        reset_expiry(env)
        explain_batch(env, batch)
    return rates


@contextlib.contextmanager
def database_env(db):
    """A superuser environment on another database of the server."""
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.modules.registry import Registry  # noqa: PLC0415

    with Registry(db).cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def bench_expiry_sizes(env, sizes, dbs, batch, before_max_s, explain):
    """The expiry cron at each number of lots due: on data built now in env's database, or on the data
    --expiry-build left in the database `dbs` gives for each size (built outside the measurement)."""
    rates = {}
    for i, n in enumerate(sizes):
        if dbs:
            with database_env(dbs[i]) as size_env:
                rates[n] = bench_expiry_size(size_env, n, batch, before_max_s, explain)
        else:
            build_expiry_data(env, n)
            rates[n] = bench_expiry_size(env, n, batch, before_max_s, explain)
    if len(sizes) > 1:
        out("expiry_lots_per_s_growth", rates[sizes[-1]]["cron"] / rates[sizes[0]]["cron"])
    out("target_ge_10000_lots_per_s", "PASS" if all(r["cron"] >= 10_000 for r in rates.values()) else "FAIL")


def main():
    args = parser(__doc__)
    args.add_argument("--partners", type=int, default=100000)
    args.add_argument("--per-partner", type=int, default=10)
    args.add_argument("--batch", type=int, default=1000, help="expiry cron batch size")
    args.add_argument("--rounds", type=int, default=7, help="alternating balance rounds per mode (at least 5)")
    args.add_argument("--expiry-lots", help="comma-separated numbers of lots due: the expiry cron at each, beside "
                      "the code before")
    args.add_argument("--expiry-only", action="store_true", help="only the --expiry-lots runs")
    args.add_argument("--before-max-s", type=float, default=180, help="the code before runs at most this long")
    args.add_argument("--explain", action="store_true", help="EXPLAIN one batch of the cron at each --expiry-lots")
    args.add_argument("--expiry-build", type=int, help="only build a ledger of this many lots due in --db")
    args.add_argument("--expiry-dbs", help="with --expiry-lots: the database --expiry-build prepared for each size")
    with odoo_env(args) as (opts, env):
        if opts.expiry_build:
            build_expiry_data(env, opts.expiry_build)
            return
        if not opts.expiry_only:
            tag = data_tag()
            t0 = time.perf_counter()
            partners = create_data(env, opts.partners, opts.per_partner, tag)
            out("create_data_s", time.perf_counter() - t0)
            bench_balances(env, partners, max(5, opts.rounds))
            bench_expiry(env, opts.batch)
        if opts.expiry_lots:
            sizes = [int(n) for n in opts.expiry_lots.split(",")]
            dbs = opts.expiry_dbs.split(",") if opts.expiry_dbs else None
            bench_expiry_sizes(env, sizes, dbs, opts.batch, opts.before_max_s, opts.explain)


if __name__ == "__main__":
    main()
