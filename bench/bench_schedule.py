"""Benchmark of the first-callback scheduler (claim.callback._schedule_first_callbacks)
in the configuration insurers run, against the raw SQL floor.

Run through bench/run_bench_schedule.sh, or by hand on a database that has the addon:
    python bench/bench_schedule.py --db DB [--backlog 200000] [--batches 20] [--trace] -- ODOO_ARGS...

Configuration: two SLA rules counted in working hours (a Taipei office-hours calendar with a
public holiday), a customer-tag rule (VIP), three teams of four agents; claims spread over the
teams, categories, amounts, one customer in five VIP. Then:
  1k backlog     1,500 claims made through the ORM: one warm-up batch of 500, then two
                 batches of 500 with 1,000 and 500 claims waiting;
  backlog        --backlog more claims (SQL copies of those, set-up, not measured);
  raw SQL floor  one INSERT ... SELECT creating the first callbacks of --batches x 500 of them,
                 same columns, calendar-hour deadlines, round-robin agents (the floor: baseline);
  scheduler      --batches batches of 500 with the whole backlog waiting.
Each batch is flushed, its queries counted (the COMMIT excluded) and committed; batch time
includes the COMMIT. Figures are printed as `name: value` lines. --trace lists where the
queries of one scheduler batch come from.
"""

import collections
import contextlib
import statistics
import time
import traceback
from datetime import datetime, timedelta

from benchlib import odoo_env, out, parser, peak_rss_mb

import odoo
from odoo.fields import Command

SMOKE_ARGS = ["--backlog", "3000", "--batches", "2"]  # bench/smoke.py (tools/test)
BATCH = 500
CREATE_BATCH = 1000
AGENTS_PER_TEAM = 4
NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}
CLOSED = datetime(2026, 10, 5, 2)  # a Monday, 10:00 in Taipei


def setup(env, tag):
    """The real configuration: three teams, two working-hours rules and a tag rule."""
    group = env.ref("insurance_claim_callback.group_callback_agent")
    users = (
        env["res.users"]
        .with_context(**NO_MAIL, no_reset_password=True)
        .create(
            [
                {
                    "name": f"Bench agent {tag}-{i}",
                    "login": f"bench-{tag}-{i}",
                    "group_ids": [Command.link(group.id)],
                    "callback_capacity": 10**6,
                }  # the largest capacity allowed
                for i in range(3 * AGENTS_PER_TEAM)
            ]
        )
    )
    teams = (
        env["helpdesk.ticket.team"]
        .with_context(**NO_MAIL)
        .create(
            [
                {"name": f"Bench {name} {tag}", "user_ids": [Command.set(users[i::3].ids)]}
                for i, name in enumerate(("home", "motor", "health"))
            ]
        )
    )
    calendar = env["resource.calendar"].create(
        {
            "name": f"Taipei office hours {tag}",
            "tz": "Asia/Taipei",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"{day} {part}",
                        "dayofweek": str(day),
                        "hour_from": start,
                        "hour_to": end,
                        "day_period": part,
                    }
                )
                for day in range(5)
                for part, start, end in (("morning", 9, 12), ("afternoon", 13, 18))
            ],
            "leave_ids": [
                Command.create(
                    {
                        "name": "National holiday",
                        "date_from": datetime(2026, 10, 9, 16),
                        "date_to": datetime(2026, 10, 10, 16),
                    }
                )
            ],
        }
    )
    vip = env["res.partner.category"].create({"name": f"VIP {tag}"})
    env["claim.sla.rule"].search([]).active = False
    routine = env.ref("insurance_claim_callback.claim_category_routine")
    env["claim.sla.rule"].create(
        [
            {
                "name": "Routine claims, office hours",
                "category_ids": [Command.set(routine.ids)],
                "first_contact_hours": 8,
                "completion_hours": 24,
                "resource_calendar_id": calendar.id,
            },
            {
                "name": "Large claims, office hours",
                "amount_min": 50000,
                "first_contact_hours": 4,
                "completion_hours": 16,
                "resource_calendar_id": calendar.id,
            },
            {
                "name": "VIP customers",
                "partner_category_ids": [Command.set(vip.ids)],
                "first_contact_hours": 2,
                "completion_hours": 12,
            },
        ]
    )
    env.cr.commit()
    return teams, users, vip, routine


def create_claims(env, teams, vip, routine, n, prefix):
    """N closed claims through the ORM, committed by batches; returns their ids."""
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    ids = []
    for start in range(0, n, CREATE_BATCH):
        rng = range(start, min(n, start + CREATE_BATCH))
        partners = (
            env["res.partner"]
            .with_context(**NO_MAIL)
            .create(
                [
                    {
                        "name": f"{prefix} customer {i}",
                        "phone": f"+886 2 2{i:07d}",
                        "tz": "Asia/Taipei",
                        "category_id": [Command.set(vip.ids)] if i % 5 == 0 else [],
                    }
                    for i in rng
                ]
            )
        )
        ids += (
            env["helpdesk.ticket"]
            .with_context(**NO_MAIL)
            .create(
                [
                    {
                        "name": f"Claim {prefix}-{i}",
                        "description": "<p>Settled claim</p>",
                        "is_claim": True,
                        "claim_number": f"{prefix}-{i}",
                        "policy_number": f"POL-{i}",
                        "claim_category_id": routine.id if i % 2 else False,
                        "claim_amount": 80000.0 if i % 3 == 0 else 1000.0,
                        "paid_amount": 800.0,
                        "partner_id": partner.id,
                        "team_id": teams[i % 3].id,
                        "stage_id": stage.id,
                        "closed_date": CLOSED + timedelta(seconds=i),
                    }
                    for i, partner in zip(rng, partners, strict=True)
                ]
            )
            .ids
        )
        env.cr.commit()
        env.invalidate_all()
    return ids


def clone_backlog(env, template_ids, count):
    """`count` more claims waiting for their first callback: SQL copies of the templates."""
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'helpdesk_ticket'"
        " AND column_name NOT IN ('id', 'claim_number', 'callback_status', 'closed_date')"
    )
    columns = ", ".join(f'"{name}"' for (name,) in env.cr.fetchall())
    copied = ", ".join(f"t.{c}" for c in columns.split(", "))
    env.cr.execute(
        f"""INSERT INTO helpdesk_ticket ({columns}, claim_number, callback_status, closed_date)
            SELECT {copied}, t.claim_number || '-B' || g, 'none', t.closed_date + g * interval '1 second'
              FROM generate_series(1, %s) g
              JOIN helpdesk_ticket t ON t.id = (%s::int[])[1 + (g - 1) %% %s]""",
        [count, template_ids, len(template_ids)],
    )
    env.cr.execute("ANALYZE helpdesk_ticket")
    env.cr.commit()


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


def run_batches(env, count, trace=False):
    """`count` scheduler batches (or until none remains): ([seconds], [queries], processed)."""
    Callback, times, queries, total = env["claim.callback"], [], [], 0
    for i in range(count):
        t0, q0 = time.perf_counter(), odoo.sql_db.sql_counter
        with QueryTrace() if trace and i == 0 else contextlib.nullcontext() as tr:
            processed, remaining = Callback._schedule_first_callbacks(BATCH)
            env.flush_all()  # pending writes belong to the batch; the COMMIT itself does not
        queries.append(odoo.sql_db.sql_counter - q0)
        env.cr.commit()
        times.append(time.perf_counter() - t0)
        env.invalidate_all()
        total += processed
        if tr:
            tr.print()
        if not remaining:
            break
    return times, queries, total


def raw_sql_floor(env, n, users):
    """The first callbacks of the next `n` waiting claims and their status, in SQL (the floor)."""
    t0 = time.perf_counter()
    env.cr.execute(
        """
        WITH batch AS (
            SELECT t.id, t.partner_id, t.company_id, t.team_id, t.closed_date,
                   row_number() OVER (ORDER BY t.closed_date, t.id) AS rn
              FROM helpdesk_ticket t JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
             WHERE t.is_claim AND t.callback_status = 'none' AND t.closed_date IS NOT NULL
               AND s.closed AND t.partner_id IS NOT NULL
             ORDER BY t.closed_date, t.id LIMIT %(n)s),
        ins AS (
            INSERT INTO claim_callback (
                ticket_id, partner_id, company_id, team_id, user_id, sequence, state,
                sla_start_date, sla_first_contact_deadline, sla_completion_deadline,
                sla_first_contact_risk_date, sla_completion_risk_date,
                sla_first_contact_status, sla_completion_status, priority, access_token,
                create_uid, write_uid, create_date, write_date)
            SELECT b.id, b.partner_id, b.company_id, b.team_id,
                   (%(agents)s::int[])[1 + (b.rn - 1) %% %(n_agents)s], 1, 'scheduled', b.closed_date,
                   b.closed_date + interval '24 hours', b.closed_date + interval '72 hours',
                   b.closed_date + interval '19.2 hours', b.closed_date + interval '57.6 hours',
                   'on_track', 'on_track', '1', gen_random_uuid()::varchar,
                   %(uid)s, %(uid)s, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM batch b
            RETURNING ticket_id)
        UPDATE helpdesk_ticket t SET callback_status = 'pending' FROM ins WHERE t.id = ins.ticket_id
    """,
        {"n": n, "agents": users.ids, "n_agents": len(users), "uid": env.uid},
    )
    rows = env.cr.rowcount
    env.cr.commit()
    return time.perf_counter() - t0, rows


def check(env, since_id):
    env.cr.execute(
        """SELECT count(*), count(DISTINCT ticket_id), count(user_id), count(sla_rule_id),
                  count(*) FILTER (WHERE sla_completion_deadline IS NULL)
             FROM claim_callback WHERE sequence = 1 AND id > %s""",
        [since_id],
    )
    return env.cr.fetchone()


def main():
    args = parser(__doc__)
    args.add_argument("--backlog", type=int, default=200_000, help="claims waiting during the measured batches")
    args.add_argument("--batches", type=int, default=20, help="scheduler batches measured with the backlog waiting")
    args.add_argument("--trace", action="store_true", help="list the queries of the first batch with the backlog")
    with odoo_env(args) as (opts, env):
        tag = time.strftime("%H%M%S")
        teams, users, vip, routine = setup(env, tag)
        out("configuration", "2 working-hours SLA rules + 1 customer-tag rule, 3 teams x 4 agents")
        t0 = time.perf_counter()
        template_ids = create_claims(env, teams, vip, routine, 3 * BATCH, f"B{tag}")
        out("orm_claims_per_s", 3 * BATCH / (time.perf_counter() - t0))

        env.cr.execute("SELECT coalesce(max(id), 0) FROM claim_callback")
        (first_id,) = env.cr.fetchone()
        _times, _queries, warm_done = run_batches(env, 1)  # warm-up: the process's caches
        small_times, small_queries, small_done = run_batches(env, 2)  # 1,000 then 500 waiting
        out("batch_s_at_1k_backlog", statistics.median(small_times))
        out("queries_per_batch_at_1k_backlog", " ".join(map(str, small_queries)))

        t0 = time.perf_counter()
        clone_backlog(env, template_ids, opts.backlog)
        out("backlog_claims", opts.backlog)
        out("backlog_setup_s", time.perf_counter() - t0)

        n = opts.batches * BATCH
        raw_s, raw_rows = raw_sql_floor(env, n, users)
        out("baseline_raw_sql_floor_rows", raw_rows)
        out("baseline_raw_sql_floor_per_s", raw_rows / raw_s)

        env.cr.execute("SELECT coalesce(max(id), 0) FROM claim_callback")
        (big_first_id,) = env.cr.fetchone()
        times, queries, done = run_batches(env, opts.batches, opts.trace)
        rate = done / sum(times)
        out("scheduler_processed", done)
        out("scheduler_callbacks_per_s", rate)
        out("ratio_raw_sql_floor_to_scheduler", (raw_rows / raw_s) / rate)
        out(
            "batch_s_at_200k_backlog" if opts.backlog == 200_000 else f"batch_s_at_{opts.backlog}_backlog",
            statistics.median(times),
        )
        out("batch_s_ratio_backlog_to_1k", statistics.median(times) / statistics.median(small_times))
        out("queries_per_batch_max", max(queries + small_queries))
        out("queries_per_batch_list", " ".join(map(str, queries)))
        created, tickets, assigned, with_rule, no_deadline = check(env, big_first_id)
        out(
            "scheduler_ok",
            created == tickets == done == assigned
            and not no_deadline
            and check(env, first_id)[0] == done + small_done + warm_done + raw_rows,
        )
        out("callbacks_with_a_rule_pct", 100.0 * with_rule / max(created, 1))
        out("peak_rss_mb", peak_rss_mb())
        out("target_ge_1000_callbacks_per_s", "PASS" if rate >= 1000 else "FAIL")
        out("target_le_30_queries_per_batch", "PASS" if max(queries + small_queries) <= 30 else "FAIL")
        out(
            "target_batch_time_flat_in_backlog",
            "PASS" if statistics.median(times) <= 1.25 * statistics.median(small_times) else "FAIL",
        )


if __name__ == "__main__":
    main()
