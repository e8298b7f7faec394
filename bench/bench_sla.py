"""Benchmark of the SLA cron (claim.callback._sla_check) and of deadline computation.

Run through bench/run_bench_sla.sh, or by hand on a database that has the addon:
    python bench/bench_sla.py --db DB [--sizes 10000,100000] -- ODOO_ARGS...

For each size N: N open callbacks (inserted in SQL: data set-up, not measured), of which
5 % cross into "at risk" and 2 % into "breached" on the first-contact clock; escalation on
breach = an activity for the team leader and a priority raise. Then, on the same rows:
  sla_cron  _sla_check(batch) + commit until nothing remains (what ir_cron_sla_check runs);
  naive     the same result from a Python loop over every open callback (baseline).
Deadlines, like for like first: our batched rule._plan() against the per-record
`calendar.plan_hours(..., compute_leaves=True)` that OCA helpdesk_mgmt_sla calls for each
ticket (same dates, same calendar: the baseline); then, for reference only, helpdesk_mgmt_sla's
set_sla(), which also creates its helpdesk.ticket.sla records (not the same work).
Figures are printed as `name: value` lines.
"""

import time
from datetime import timedelta

from benchlib import best_of, odoo_env, out, parser, run_batches

from odoo import fields
from odoo.tools import SQL

SMOKE_ARGS = ["--sizes", "500,1000", "--deadlines", "50"]  # bench/smoke.py (tools/test)
BATCH = 500
TICKETS = 1000  # claims made through the ORM; the others are SQL copies (one open callback per claim)
NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True}


def setup(env, tag, n):
    group = env.ref("insurance_claim_callback.group_callback_agent")
    Users = env["res.users"].with_context(**NO_MAIL, no_reset_password=True)
    leader, agent = Users.create(
        [
            {"name": f"Bench {role} {tag}", "login": f"bench-sla-{role}-{tag}", "group_ids": [(4, group.id)]}
            for role in ("leader", "agent")
        ]
    )
    team = (
        env["helpdesk.ticket.team"]
        .with_context(**NO_MAIL)
        .create({"name": f"SLA bench {tag}", "user_id": leader.id, "user_ids": [(6, 0, (leader | agent).ids)]})
    )
    rule = env["claim.sla.rule"].create(
        {"name": f"Bench {tag}", "escalation_trigger": "breached", "escalation_raise_priority": True}
    )
    partner = env["res.partner"].with_context(**NO_MAIL).create({"name": f"SLA bench customer {tag}"})
    tickets = (
        env["helpdesk.ticket"]
        .with_context(**NO_MAIL)
        .create(
            [
                {
                    "name": f"Bench claim {tag}-{i}",
                    "description": "<p>bench</p>",
                    "is_claim": True,
                    "claim_number": f"SLA-{tag}-{i}",
                    "partner_id": partner.id,
                    "team_id": team.id,
                    "claim_amount": 100,
                }
                for i in range(TICKETS)
            ]
        )
    )
    tickets |= clone_tickets(env, tickets, n - len(tickets))
    env.cr.commit()
    return team, agent, rule, tickets


def clone_tickets(env, tickets, count):
    """`count` more claims, SQL copies of `tickets` with their own claim numbers."""
    if count <= 0:
        return tickets.browse()
    env.flush_all()
    env.cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'helpdesk_ticket' AND column_name NOT IN ('id', 'claim_number')"
    )
    columns = [name for (name,) in env.cr.fetchall()]
    env.cr.execute(
        f"""INSERT INTO helpdesk_ticket ({", ".join(f'"{c}"' for c in columns)}, claim_number)
            SELECT {", ".join(f't."{c}"' for c in columns)}, t.claim_number || '-' || g
              FROM generate_series(1, %s) g
              JOIN helpdesk_ticket t ON t.id = (%s::int[])[1 + (g - 1) %% %s]
            RETURNING id""",
        [count, tickets.ids, len(tickets)],
    )
    return tickets.browse([row[0] for row in env.cr.fetchall()])


def insert_callbacks(env, n, team, agent, rule, tickets, now, fixed=False):
    """N open callbacks: 5 % past their at-risk date, 2 % past their deadline, the rest on track.
    `fixed`: 500 at risk and 200 breached whatever N (to show the query count does not follow N)."""
    at_risk, breach = ("g <= 500", "g <= 700") if fixed else ("g %% 100 < 5", "g %% 100 < 7")
    env.cr.execute(
        f"""
        INSERT INTO claim_callback (
            ticket_id, partner_id, company_id, team_id, user_id, sequence, state, priority, sla_rule_id,
            sla_start_date, sla_first_contact_risk_date, sla_first_contact_deadline,
            sla_completion_risk_date, sla_completion_deadline,
            sla_first_contact_status, sla_completion_status, sla_first_contact_escalated, sla_completion_escalated,
            create_uid, write_uid, create_date, write_date)
        SELECT t.id, t.partner_id, t.company_id, %(team)s, %(agent)s, %(seq0)s + (g - 1) / %(tickets)s, 'scheduled', '1',
               %(rule)s, %(now)s - interval '20 hours',
               CASE WHEN {at_risk} THEN %(now)s - interval '1 hour'
                    WHEN {breach} THEN %(now)s - interval '5 hours'
                    ELSE %(now)s + interval '10 hours' END,
               CASE WHEN {at_risk} THEN %(now)s + interval '4 hours'
                    WHEN {breach} THEN %(now)s - interval '1 hour'
                    ELSE %(now)s + interval '14 hours' END,
               %(now)s + interval '40 hours', %(now)s + interval '52 hours',
               'on_track', 'on_track', false, false, 1, 1, %(now)s, %(now)s
          FROM generate_series(1, %(n)s) g
          JOIN helpdesk_ticket t ON t.id = (%(ticket_ids)s::int[])[1 + (g - 1) %% %(tickets)s]
        RETURNING id
        """,
        {
            "seq0": 3 + n // len(tickets) if fixed else 2,
            "team": team.id,
            "agent": agent.id,
            "rule": rule.id,
            "now": now,
            "n": n,
            "tickets": len(tickets),
            "ticket_ids": tickets.ids,
        },
    )
    ids = [row[0] for row in env.cr.fetchall()]
    env.cr.execute("ANALYZE claim_callback")
    env.cr.commit()
    return ids


def reset(env, ids):
    env.cr.execute(
        """UPDATE claim_callback SET sla_first_contact_status = 'on_track', sla_first_contact_escalated = false,
                  priority = '1', user_id = %s WHERE id = ANY(%s)""",
        [env["claim.callback"].browse(ids[0]).user_id.id, ids],
    )
    env.cr.execute("DELETE FROM mail_activity WHERE res_model = 'claim.callback' AND res_id = ANY(%s)", [ids])
    env.cr.commit()
    env.invalidate_all()


def rewind(env, ids, now):
    """Callbacks of an earlier --keep run as `insert_callbacks` made them, due again from `now`: every date moves by
    the time since they were made (their SLA started 20 hours before), statuses, escalations and activities undone."""
    env.cr.execute(
        """UPDATE claim_callback
              SET state = 'scheduled', priority = '1', user_id = %(agent)s,
                  sla_first_contact_status = 'on_track', sla_completion_status = 'on_track',
                  sla_first_contact_escalated = false, sla_completion_escalated = false,
                  sla_start_date = sla_start_date + shift,
                  sla_first_contact_risk_date = sla_first_contact_risk_date + shift,
                  sla_first_contact_deadline = sla_first_contact_deadline + shift,
                  sla_completion_risk_date = sla_completion_risk_date + shift,
                  sla_completion_deadline = sla_completion_deadline + shift
             FROM (SELECT id AS shifted_id, %(now)s - interval '20 hours' - sla_start_date AS shift
                     FROM claim_callback WHERE id = ANY(%(ids)s)) s
            WHERE claim_callback.id = s.shifted_id""",
        {"agent": env["claim.callback"].browse(ids[0]).user_id.id, "now": now, "ids": ids},
    )
    for table in ("mail_activity", "mail_followers"):
        env.cr.execute(f"DELETE FROM {table} WHERE res_model = 'claim.callback' AND res_id = ANY(%s)", [ids])
    env.cr.execute("ANALYZE claim_callback")
    env.cr.commit()
    env.invalidate_all()


def kept(env, n):
    """(main ids, fixed ids) of the N-callback sets an earlier --keep run left, else None."""
    team = env["helpdesk.ticket.team"].search([("name", "=", f"SLA bench keep-{n}")], limit=1)
    if not team:
        return None
    env.cr.execute("SELECT id, sequence FROM claim_callback WHERE team_id = %s ORDER BY id", [team.id])
    rows = env.cr.fetchall()
    first = min(seq for _id, seq in rows)
    return [i for i, seq in rows if seq == first], [i for i, seq in rows if seq != first]


def retire(env, ids):
    env.cr.execute("UPDATE claim_callback SET state = 'cancelled' WHERE id = ANY(%s)", [ids])
    env.cr.commit()


def snapshot(env, ids):
    env.cr.execute(
        """SELECT sla_first_contact_status, count(*), sum((priority = '2')::int), sum(sla_first_contact_escalated::int)
             FROM claim_callback WHERE id = ANY(%s) GROUP BY 1 ORDER BY 1""",
        [ids],
    )
    rows = env.cr.fetchall()
    env.cr.execute("SELECT count(*) FROM mail_activity WHERE res_model = 'claim.callback' AND res_id = ANY(%s)", [ids])
    return rows, env.cr.fetchone()[0]


def bench_cron(env, now):
    elapsed, queries, _processed = run_batches(env, lambda: env["claim.callback"]._sla_check(BATCH))
    return elapsed, len(queries), queries


def explain_searches(env):
    """The plan of each search the SLA cron makes, as it runs when nothing is due."""
    callbacks = env["claim.callback"].with_context(tracking_disable=True)
    now = fields.Datetime.now()
    steps = [
        (callbacks, callbacks._sla_resume_domain(now), None, "id"),
        *callbacks._sla_steps(now),
        *env["helpdesk.ticket"]._sla_steps(now),
    ]
    for model, domain, _apply, order in steps:
        query = model._search(domain, order=order, limit=2 * BATCH).select()
        env.cr.execute(SQL("EXPLAIN (ANALYZE, COSTS OFF) %s", query))
        print(f"explain {model._name} order by {order}:")
        print("\n".join("    " + row[0] for row in env.cr.fetchall()), flush=True)


def bench_naive(env, ids, now):
    """Every open callback read and decided in Python, one write and activity per change."""
    t0 = time.perf_counter()
    callbacks = env["claim.callback"].search([("state", "in", ("scheduled", "in_progress"))])
    for callback in callbacks:
        status = callback.sla_first_contact_status
        if status in ("met", "missed") or callback.first_attempt_date:
            continue
        new = status
        if callback.sla_first_contact_deadline < now:
            new = "breached"
        elif status == "on_track" and callback.sla_first_contact_risk_date <= now:
            new = "at_risk"
        if new != status:
            callback.sla_first_contact_status = new
        if new == "breached" and not callback.sla_first_contact_escalated:
            callback.activity_schedule(
                "mail.mail_activity_data_todo", user_id=callback.team_id.user_id.id, summary="SLA breached"
            )
            callback.write({"priority": "2", "sla_first_contact_escalated": True})
    env.flush_all()
    env.cr.commit()
    return time.perf_counter() - t0


def bench_deadlines(env, tag, n):
    """Deadlines of N tickets on one business-hours calendar: ours vs helpdesk_mgmt_sla."""
    calendar = env["resource.calendar"].create({"name": f"Bench office {tag}", "tz": "Asia/Taipei"})
    env["resource.calendar.leaves"].create(
        {
            "name": "Holiday",
            "calendar_id": calendar.id,
            "date_from": fields.Datetime.now() + timedelta(days=3),
            "date_to": fields.Datetime.now() + timedelta(days=4),
        }
    )
    rule = env["claim.sla.rule"].create({"name": f"Office {tag}", "resource_calendar_id": calendar.id, "active": False})
    team = env["helpdesk.ticket.team"].create(
        {"name": f"SLA deadline bench {tag}", "resource_calendar_id": calendar.id, "use_sla": True}
        if "use_sla" in env["helpdesk.ticket.team"]._fields
        else {"name": f"SLA deadline bench {tag}"}
    )
    starts = [fields.Datetime.now() - timedelta(minutes=7 * i) for i in range(n)]
    t0 = time.perf_counter()
    ours = rule._plan([(start, 24.0) for start in starts])
    ours_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    per_record = [calendar.plan_hours(24.0, start, compute_leaves=True) for start in starts]
    plan_hours_s = time.perf_counter() - t0
    out("deadline_n", n)
    out("deadline_baseline_plan_hours_per_record_s", plan_hours_s)
    out("deadline_ours_batched_s", ours_s)
    out("deadline_same_results", ours == per_record)
    out("deadline_ratio_plan_hours_per_record_to_ours", plan_hours_s / ours_s)
    if "helpdesk.sla" not in env:
        out("helpdesk_mgmt_sla", "not installed: comparison skipped")
        return
    sla = env["helpdesk.sla"].create(
        {
            "name": f"Bench {tag}",
            "team_ids": [(6, 0, team.ids)],
            "hours": 24,
            "stage_id": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
        }
    )
    tickets = (
        env["helpdesk.ticket"]
        .with_context(**NO_MAIL)
        .create([{"name": f"OCA SLA {tag}-{i}", "description": "<p>bench</p>", "team_id": team.id} for i in range(n)])
    )
    # the same start dates as above, then helpdesk_mgmt_sla's own per-ticket computation
    env.cr.execute(
        "UPDATE helpdesk_ticket SET create_date = data.d FROM unnest(%s::int[], %s::timestamp[]) AS data(id, d)"
        " WHERE helpdesk_ticket.id = data.id",
        [tickets.ids, starts],
    )
    env.invalidate_all()
    tickets = tickets.browse(tickets.ids)
    t0 = time.perf_counter()
    tickets.set_sla()
    env.flush_all()
    oca_s = time.perf_counter() - t0
    oca = [t.ticket_sla_ids.filtered(lambda s: s.sla_id == sla).deadline for t in tickets]
    out("deadline_oca_set_sla_with_record_creation_s", oca_s)
    out("deadline_oca_same_results", oca == ours)
    out("deadline_ratio_oca_set_sla_with_record_creation_to_ours", oca_s / ours_s)
    env.cr.rollback()


def run_size(env, n, tag, explain=False, naive_max=100_000, keep=False, fixed_max=None):
    reused = keep and kept(env, n)
    if reused:  # the same rows as the last --keep run, their dates moved to now
        ids, fixed_ids = reused
        retire(env, fixed_ids)
        rewind(env, ids, fields.Datetime.now())
    else:
        team, agent, rule, tickets = setup(env, f"keep-{n}" if keep else f"{tag}-{n}", n)
        ids = insert_callbacks(env, n, team, agent, rule, tickets, fields.Datetime.now())
    out("n_open_callbacks", n)
    out("data", "reused from an earlier --keep run" if reused else "built")
    elapsed, calls, queries = bench_cron(env, fields.Datetime.now())
    rows, activities = snapshot(env, ids)
    out("sla_cron_s", elapsed)
    out("sla_cron_calls", calls)
    out("sla_cron_queries_total", sum(queries))
    out("sla_cron_queries_per_call_max", max(queries))
    out("sla_cron_statuses", " ".join(f"{status}={count}" for status, count, *_ in rows))
    out("sla_cron_escalations", sum(r[3] or 0 for r in rows))
    out("sla_cron_activities", activities)
    idle_s, idle_queries, _result = best_of(env, lambda: env["claim.callback"]._sla_check(BATCH), runs=5)
    out("sla_idle_call_ms", 1000 * idle_s)
    out("sla_idle_call_queries", idle_queries)
    if explain:
        explain_searches(env)
    transitions = sum(count for status, count, *_ in rows if status != "on_track")
    out("sla_cron_transitions_per_s", transitions / elapsed)
    out("target_70k_transitions_le_15s", "PASS" if elapsed * 70_000 / max(transitions, 1) <= 15 else "FAIL")
    out("target_idle_call_le_50ms", "PASS" if idle_s <= 0.05 else "FAIL")
    if n <= naive_max:
        reset(env, ids)
        naive_s = bench_naive(env, ids, fields.Datetime.now())
        naive_rows, naive_activities = snapshot(env, ids)
        out("naive_loop_s", naive_s)
        out("naive_same_result", naive_rows == rows and naive_activities == activities)
        out("ratio_naive_to_sla_cron", naive_s / elapsed)
    retire(env, ids)
    if fixed_max is not None and n > fixed_max:
        print(flush=True)
        return None
    # the same 700 transitions among N open callbacks: the cron's queries must not follow N
    if reused:
        rewind(env, fixed_ids, fields.Datetime.now())
    else:
        fixed_ids = insert_callbacks(env, n, team, agent, rule, tickets, fields.Datetime.now(), fixed=True)
    fixed_s, fixed_calls, fixed_queries = bench_cron(env, fields.Datetime.now())
    out("fixed_700_due_sla_cron_s", fixed_s)
    out("fixed_700_due_sla_cron_queries", sum(fixed_queries))
    retire(env, fixed_ids)
    print(flush=True)
    return sum(fixed_queries), fixed_calls


def main():
    args = parser(__doc__)
    args.add_argument("--sizes", default="10000,100000", help="comma-separated open-callback counts")
    args.add_argument("--deadlines", type=int, default=2000, help="tickets for the deadline comparison")
    args.add_argument("--naive-max", type=int, default=100_000, help="the naive loop only up to this size")
    args.add_argument(
        "--explain", action="store_true", help="EXPLAIN ANALYZE each search of an idle call, largest size"
    )
    args.add_argument(
        "--fixed-max", type=int, default=None, help="the fixed-700 run only up to this size (default: every size)"
    )
    args.add_argument(
        "--keep",
        action="store_true",
        help="keep each size's callbacks (team 'SLA bench keep-N'); a later --keep run on the same database resets "
        "and reuses them instead of building them again (1,000,000 takes minutes to build)",
    )
    with odoo_env(args) as (opts, env):
        tag = time.strftime("%H%M%S")
        sizes = [int(n) for n in opts.sizes.split(",")]
        results = {
            n: run_size(env, n, tag, opts.explain and n == sizes[-1], opts.naive_max, opts.keep, opts.fixed_max)
            for n in sizes
        }
        fixed = " ".join(f"{n}={result[0]}({result[1]} calls)" for n, result in results.items() if result)
        out("fixed_700_due_queries_by_n", fixed)
        bench_deadlines(env, tag, opts.deadlines)


if __name__ == "__main__":
    main()
