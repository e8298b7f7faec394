"""Benchmark of the first-callback scheduler (claim.callback._schedule_first_callbacks).

Run through bench/run_bench_schedule.sh, or by hand on a database that has the addon:
    python bench/bench_schedule.py --db DB [--sizes 1000,10000] [--trace] -- ODOO_ARGS...

For each size N, on three sets of N fresh closed claim tickets:
  scheduler  _schedule_first_callbacks(500) + commit until nothing remains;
  naive      one activity_schedule() per ticket, commit every 500 (baseline a);
  raw SQL    one INSERT ... SELECT creating the same callbacks (baseline b, the floor).
Figures are printed as `name: value` lines. --trace lists where the queries of
one scheduler batch come from.
"""

import collections
import gc
import time
import traceback
from datetime import timedelta

from benchlib import odoo_env, out, parser, peak_rss_mb

import odoo
from odoo import fields

BATCH = 500
CREATE_BATCH = 1000
AGENTS = 10
NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}


def setup_team(env, tag):
    group = env.ref("insurance_claim_callback.group_callback_agent")
    users = env["res.users"].with_context(**NO_MAIL, no_reset_password=True).create([
        {
            "name": f"Bench agent {tag}-{i}",
            "login": f"bench-{tag}-{i}",
            "group_ids": [(4, group.id)],
            "callback_capacity": 10**7,
        }
        for i in range(AGENTS)
    ])
    team = env["helpdesk.ticket.team"].with_context(**NO_MAIL).create(
        {"name": f"Bench team {tag}", "user_ids": [(6, 0, users.ids)]}
    )
    env.cr.commit()
    return team, users


def create_claims(env, team, n, prefix):
    """N closed claim tickets, created and committed by batches; returns their ids."""
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    Partner = env["res.partner"].with_context(**NO_MAIL)
    Ticket = env["helpdesk.ticket"].with_context(**NO_MAIL)
    closed = fields.Datetime.now() - timedelta(days=1)
    ids = []
    for start in range(0, n, CREATE_BATCH):
        rng = range(start, min(n, start + CREATE_BATCH))
        partners = Partner.create([{"name": f"{prefix} customer {i}", "phone": f"+32 400 {i:06d}"} for i in rng])
        tickets = Ticket.create([
            {
                "name": f"Claim {prefix}-{i}",
                "description": "<p>Settled claim</p>",
                "number": f"{prefix}-{i}",
                "is_claim": True,
                "claim_number": f"{prefix}-{i}",
                "policy_number": f"POL-{i}",
                "claim_amount": 1000.0,
                "paid_amount": 800.0,
                "partner_id": partner.id,
                "team_id": team.id,
                "stage_id": stage.id,
                "closed_date": closed + timedelta(seconds=i),
            }
            for i, partner in zip(rng, partners, strict=True)
        ])
        ids += tickets.ids
        env.cr.commit()
        env.invalidate_all()
        gc.collect()
    return ids


class QueryTrace:
    """Count the queries run inside `with`, by SQL head and by the first addon frame."""

    def __init__(self, addon="insurance_claim_callback"):
        self.addon, self.by_source = addon, collections.Counter()

    def __enter__(self):
        self._orig = orig = odoo.sql_db.Cursor.execute
        trace = self

        def execute(cr, query, params=None, log_exceptions=True):
            code = query.code if isinstance(query, odoo.tools.SQL) else query
            frames = [f for f in traceback.extract_stack()[:-1] if f"/{trace.addon}/" in f.filename]
            where = f"{frames[-1].name}:{frames[-1].lineno} `{frames[-1].line}`" if frames else "?"
            trace.by_source[(where, " ".join(code.split())[:110])] += 1
            return orig(cr, query, params, log_exceptions)

        odoo.sql_db.Cursor.execute = execute
        return self

    def __exit__(self, *exc):
        odoo.sql_db.Cursor.execute = self._orig

    def print(self):
        for (where, sql), count in self.by_source.most_common():
            print(f"  trace {count:4d} x {where}\n             {sql}")


def bench_scheduler(env, ids, trace):
    Callback = env["claim.callback"]
    times, queries, total, remaining = [], [], 0, None
    while remaining != 0:
        t0, q0 = time.perf_counter(), odoo.sql_db.sql_counter
        if trace and not queries:
            with QueryTrace() as tr:
                processed, remaining = Callback._schedule_first_callbacks(BATCH)
                env.flush_all()
        else:
            processed, remaining = Callback._schedule_first_callbacks(BATCH)
            env.flush_all()  # pending writes belong to the batch; the COMMIT itself does not
        queries.append(odoo.sql_db.sql_counter - q0)
        env.cr.commit()
        times.append(time.perf_counter() - t0)
        total += processed
        gc.collect()
        if not processed:
            break
    env.cr.execute(
        "SELECT count(*), count(DISTINCT ticket_id), count(user_id) FROM claim_callback"
        " WHERE sequence = 1 AND ticket_id = ANY(%s)", [ids])
    created, tickets, assigned = env.cr.fetchone()
    if trace:
        tr.print()
    return sum(times), total, queries, (created, tickets, assigned)


def bench_naive(env, ids, users):
    Ticket, user_ids = env["helpdesk.ticket"], users.ids
    t0 = time.perf_counter()
    for i, tid in enumerate(ids, 1):
        ticket = Ticket.browse(tid)
        ticket.activity_schedule(
            "mail.mail_activity_data_todo",
            date_deadline=(ticket.closed_date + timedelta(hours=72)).date(),
            user_id=user_ids[i % len(user_ids)],
            summary="Callback",
        )
        if i % BATCH == 0:
            env.cr.commit()
            env.invalidate_all()
            gc.collect()
    env.cr.commit()
    elapsed = time.perf_counter() - t0
    # keep these tickets out of the next scheduler run
    env.cr.execute("UPDATE helpdesk_ticket SET callback_status = 'opted_out' WHERE id = ANY(%s)", [ids])
    env.cr.commit()
    return elapsed


def bench_raw_sql(env, ids, users):
    """The same first callbacks (least-loaded replaced by round robin) and ticket status, in SQL."""
    t0 = time.perf_counter()
    env.cr.execute("""
        WITH ins AS (
            INSERT INTO claim_callback (
                ticket_id, partner_id, company_id, team_id, user_id, sequence, state,
                sla_start_date, sla_first_contact_deadline, sla_completion_deadline,
                sla_first_contact_risk_date, sla_completion_risk_date,
                sla_first_contact_status, sla_completion_status, priority,
                create_uid, write_uid, create_date, write_date)
            SELECT t.id, t.partner_id, t.company_id, t.team_id,
                   (%(agents)s::int[])[1 + (row_number() OVER (ORDER BY t.closed_date, t.id) - 1) %% %(n_agents)s],
                   1, 'scheduled', t.closed_date,
                   t.closed_date + interval '24 hours', t.closed_date + interval '72 hours',
                   t.closed_date + interval '19.2 hours', t.closed_date + interval '57.6 hours',
                   'on_track', 'on_track', '1',
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
             WHERE t.is_claim AND t.callback_status = 'none' AND t.closed_date IS NOT NULL
               AND s.closed AND t.partner_id IS NOT NULL AND t.id = ANY(%(ids)s)
            RETURNING ticket_id)
        UPDATE helpdesk_ticket t SET callback_status = 'pending' FROM ins WHERE t.id = ins.ticket_id
    """, {"agents": users.ids, "n_agents": len(users), "uid": env.uid, "ids": ids})
    rows = env.cr.rowcount
    env.cr.commit()
    return time.perf_counter() - t0, rows


def run_size(env, n, tag, trace):
    team, users = setup_team(env, f"{tag}-{n}")
    t0 = time.perf_counter()
    ids = create_claims(env, team, n, f"B{tag}-{n}-S")
    out("n", n)
    out("create_tickets_per_s", n / (time.perf_counter() - t0))

    elapsed, processed, queries, (created, tickets, assigned) = bench_scheduler(env, ids, trace)
    rate = n / elapsed
    out("schedule_s", elapsed)
    out("schedule_processed", processed)
    out("schedule_callbacks_created", created)
    out("schedule_callbacks_assigned", assigned)
    out("schedule_ok", created == tickets == n == processed)
    out("schedule_callbacks_per_s", rate)
    out("schedule_batches", len(queries))
    out("schedule_queries_per_batch_max", max(queries))
    out("schedule_queries_per_batch_avg", sum(queries) / len(queries))
    out("schedule_queries_per_batch_list", " ".join(map(str, queries)) if len(queries) <= 25 else "...")

    naive_ids = create_claims(env, team, n, f"B{tag}-{n}-N")
    naive_s = bench_naive(env, naive_ids, users)
    out("naive_activity_s", naive_s)
    out("naive_activity_per_s", n / naive_s)
    out("speedup_vs_naive", naive_s / elapsed)

    raw_ids = create_claims(env, team, n, f"B{tag}-{n}-R")
    raw_s, rows = bench_raw_sql(env, raw_ids, users)
    out("raw_sql_s", raw_s)
    out("raw_sql_rows", rows)
    out("raw_sql_rows_per_s", n / raw_s)
    out("ratio_to_raw_sql", elapsed / raw_s)
    out("peak_rss_mb", peak_rss_mb())
    out("target_ge_1000_callbacks_per_s", "PASS" if rate >= 1000 else "FAIL")
    out("target_le_30_queries_per_batch", "PASS" if max(queries) <= 30 else "FAIL")
    out("target_ge_5x_vs_naive", "PASS" if naive_s / elapsed >= 5 else "FAIL")
    print(flush=True)
    return queries


def main():
    args = parser(__doc__)
    args.add_argument("--sizes", default="1000,10000", help="comma-separated ticket counts")
    args.add_argument("--trace", action="store_true", help="list the queries of the first batch")
    with odoo_env(args) as (opts, env):
        tag = time.strftime("%H%M%S")
        per_size = {n: run_size(env, n, tag, opts.trace) for n in map(int, opts.sizes.split(","))}
    avgs = {n: sum(q) / len(q) for n, q in per_size.items()}
    out("queries_per_batch_avg_by_n", " ".join(f"{n}={a:.1f}" for n, a in avgs.items()))


if __name__ == "__main__":
    main()
