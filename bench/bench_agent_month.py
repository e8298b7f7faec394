"""Benchmark of the monthly agent appraisal: claim.callback.agent.month.compute_month.

Run through bench/run_bench_agent_month.sh, or by hand on a database that has the addon:
    python bench/bench_agent_month.py --db DB [--agents 500] [--callbacks 1000000] [--sample 20] -- ODOO_ARGS...

Data (plain SQL INSERT ... SELECT generate_series, committed, then ANALYZE), for one company in March 2026
(UTC month edges): A agents in one team, C closed claims with one callback each (70 % done, their SLA statuses
and satisfaction varied), one attempt per callback plus one more for every third, a feedback issue for one
callback in 20 (a third of them complaints), and two done quality evaluations per agent.
Measured in the same run, best of 3 warm runs:
  - compute_month (all agents, one SQL pass, rows upserted in place): time and queries, first run (insert)
    and recompute (update in place);
  - the raw SQL aggregate alone: compute_month's SELECT (one row per agent with every figure, score and rank)
    run by itself, without the upsert of the rows or the ORM around it;
  - a hand-written check: a plain GROUP BY with correlated counts, the same numbers computed independently;
  - a per-agent ORM loop (search_count / _read_group per agent and figure) on a sample of agents, its time
    EXTRAPOLATED linearly to all agents (the sample size is printed).
Figures are printed as `name: value` lines.
"""

import time
from datetime import date, datetime

import benchlib
from benchlib import best_of, odoo_env, out, parser

SMOKE_ARGS = ["--agents", "5", "--callbacks", "2000", "--sample", "2"]  # bench/smoke.py (tools/test)
MONTH = date(2026, 3, 1)
START, END = datetime(2026, 3, 1), datetime(2026, 4, 1)


def create_data(env, n_agents, n_callbacks):
    cr = env.cr
    company = env.company
    group = env.ref("insurance_claim_callback.group_callback_agent")
    tag = f"AM{time.time_ns()}"
    t0 = time.perf_counter()
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, tracking_disable=True, mail_create_nolog=True)
        .create(
            [
                {"name": f"Appraisal bench agent {i}", "login": f"{tag}-{i}", "group_ids": [(4, group.id)]}
                for i in range(n_agents)
            ]
        )
    )
    team = env["helpdesk.ticket.team"].create({"name": "Appraisal bench", "user_ids": [(6, 0, users.ids)]})
    env.flush_all()
    params = {
        "company": company.id,
        "team": team.id,
        "uid": env.uid,
        "n": n_callbacks,
        "users": users.ids,
        "n_users": n_agents,
        "start": START,
        "tag": tag,
        "partners": 1000,
        "stage": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
        "category": env.ref("insurance_claim_callback.claim_category_routine").id,
    }
    cr.execute(
        """
        INSERT INTO res_partner (name, active, type, callback_consent, create_date, write_date)
        SELECT 'Appraisal bench customer ' || i, true, 'contact', 'granted', now(), now() FROM generate_series(1, %(partners)s) i
        RETURNING id
    """,
        params,
    )
    params["p0"] = min(r[0] for r in cr.fetchall())
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (company_id, name, description, is_claim, claim_number, claim_category_id,
                                     partner_id, team_id, stage_id, closed_date, create_date, write_date,
                                     create_uid, write_uid)
        SELECT %(company)s, 'Claim ' || i, 'bench', true, %(tag)s || '-' || i, %(category)s,
               %(p0)s + i %% %(partners)s, %(team)s, %(stage)s,
               %(start)s::timestamp + make_interval(secs => i::float * 2678399 / %(n)s),
               %(start)s::timestamp - interval '30 days', now(), %(uid)s, %(uid)s
          FROM generate_series(1, %(n)s) i
    """,
        params,
    )
    cr.execute("SELECT min(id) FROM helpdesk_ticket WHERE claim_number = %s", [f"{tag}-1"])
    params["t0"] = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO claim_callback (ticket_id, company_id, team_id, user_id, partner_id, sequence, state,
                                    sla_start_date, first_attempt_date, completed_date, satisfaction,
                                    sla_first_contact_status, sla_completion_status,
                                    create_date, write_date, create_uid, write_uid)
        SELECT t.id, t.company_id, t.team_id, (%(users)s::int[])[1 + (t.id / 10) %% %(n_users)s], t.partner_id, 1,
               CASE WHEN t.id %% 10 < 7 THEN 'done' WHEN t.id %% 10 = 9 THEN 'cancelled' ELSE 'in_progress' END,
               t.closed_date, t.closed_date + (t.id %% 30) * interval '1 hour',
               CASE WHEN t.id %% 10 < 7 THEN t.closed_date + (t.id %% 90) * interval '1 hour' END,
               CASE WHEN t.id %% 10 < 6 THEN 1 + t.id %% 5 ELSE 0 END,
               CASE WHEN t.id %% 30 < 24 THEN 'met' ELSE 'missed' END,
               CASE WHEN t.id %% 10 < 7 AND t.id %% 90 < 72 THEN 'met' WHEN t.id %% 10 < 7 THEN 'missed'
                    ELSE 'on_track' END,
               now(), now(), %(uid)s, %(uid)s
          FROM helpdesk_ticket t
         WHERE t.id >= %(t0)s AND t.claim_number LIKE %(tag)s || '-%%'
    """,
        params,
    )
    cr.execute(
        """
        INSERT INTO claim_callback_attempt (callback_id, company_id, channel, outcome, date, user_id, duration, cost)
        SELECT cb.id, cb.company_id, 'phone', CASE WHEN s = 1 THEN 'reached' ELSE 'no_answer' END,
               cb.sla_start_date + s * interval '1 hour', cb.user_id, 60, 0.35
          FROM claim_callback cb
          JOIN LATERAL generate_series(1, CASE WHEN cb.id %% 3 = 0 THEN 2 ELSE 1 END) s ON true
         WHERE cb.ticket_id >= %(t0)s
    """,
        params,
    )
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (company_id, name, description, source_callback_id, is_complaint, partner_id,
                                     team_id, stage_id, create_date, write_date, create_uid, write_uid)
        SELECT cb.company_id, 'Issue', 'bench', cb.id, cb.id %% 3 = 0, cb.partner_id, cb.team_id, %(stage)s,
               cb.sla_start_date + interval '2 hours', now(), %(uid)s, %(uid)s
          FROM claim_callback cb
         WHERE cb.ticket_id >= %(t0)s AND cb.id %% 20 = 0
    """,
        params,
    )
    cr.execute(
        """
        INSERT INTO claim_callback_evaluation (callback_id, user_id, company_id, evaluator_id, state, score,
                                               reason, done_date, create_date, write_date, create_uid, write_uid)
        SELECT id, user_id, company_id, %(uid)s, 'done', 40 + id %% 60, 'random', completed_date + interval '1 day',
               now(), now(), %(uid)s, %(uid)s
          FROM (SELECT cb.*, row_number() OVER (PARTITION BY cb.user_id ORDER BY cb.id) AS nth
                  FROM claim_callback cb WHERE cb.ticket_id >= %(t0)s AND cb.state = 'done'
                   AND cb.completed_date < %(start)s::timestamp + interval '29 days') cb
         WHERE nth <= 2
    """,
        params,
    )
    cr.commit()
    for table in ("helpdesk_ticket", "claim_callback", "claim_callback_attempt", "claim_callback_evaluation"):
        cr.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
    cr.commit()
    return company, users, time.perf_counter() - t0


HAND_SQL = """
SELECT cb.user_id, count(*) AS callbacks,
       count(*) FILTER (WHERE cb.state = 'done') AS completed,
       count(*) FILTER (WHERE cb.state = 'done' AND cb.sla_completion_status = 'met') AS on_time,
       count(*) FILTER (WHERE cb.sla_first_contact_status = 'met') AS first_contact,
       count(*) FILTER (WHERE cb.state = 'done' AND cb.satisfaction >= 1) AS rated,
       count(*) FILTER (WHERE cb.state = 'done' AND cb.satisfaction >= 4) AS satisfied,
       avg(cb.satisfaction) FILTER (WHERE cb.state = 'done' AND cb.satisfaction >= 1) AS satisfaction_avg,
       sum((SELECT count(*) FROM claim_callback_attempt a WHERE a.callback_id = cb.id)) AS attempts,
       sum((SELECT count(*) FROM helpdesk_ticket t WHERE t.source_callback_id = cb.id AND t.is_complaint))
           AS complaints,
       (SELECT avg(e.score) FROM claim_callback_evaluation e WHERE e.user_id = cb.user_id
           AND e.company_id = %(company)s AND e.state = 'done' AND e.done_date >= %(start)s
           AND e.done_date < %(end)s) AS qa_score
  FROM claim_callback cb
 WHERE cb.company_id = %(company)s AND cb.user_id IS NOT NULL AND cb.state != 'cancelled'
   AND cb.sla_start_date >= %(start)s AND cb.sla_start_date < %(end)s
 GROUP BY cb.user_id
"""


def orm_loop(env, company, agents):
    """The figures of each agent computed with one ORM call per figure and agent (what a naive
    implementation would do): search_count and _read_group on callbacks, attempts, issues, evaluations."""
    Callback, Attempt = env["claim.callback"], env["claim.callback.attempt"]
    Ticket, Evaluation = env["helpdesk.ticket"], env["claim.callback.evaluation"]
    result = {}
    for agent in agents:
        base = [
            ("company_id", "=", company.id),
            ("user_id", "=", agent.id),
            ("state", "!=", "cancelled"),
            ("sla_start_date", ">=", START),
            ("sla_start_date", "<", END),
        ]
        done = [*base, ("state", "=", "done")]
        callbacks = Callback.search_count(base)
        figures = {
            "callbacks": callbacks,
            "completed": Callback.search_count(done),
            "on_time": Callback.search_count([*done, ("sla_completion_status", "=", "met")]),
            "first_contact": Callback.search_count([*base, ("sla_first_contact_status", "=", "met")]),
            "rated": Callback.search_count([*done, ("satisfaction", ">=", 1)]),
            "satisfied": Callback.search_count([*done, ("satisfaction", ">=", company.callback_satisfied_score)]),
            "satisfaction_avg": Callback._read_group([*done, ("satisfaction", ">=", 1)], [], ["satisfaction:avg"]),
            "attempts": Attempt.search_count([("callback_id", "any", base)]),
            "complaints": Ticket.search_count([("is_complaint", "=", True), ("source_callback_id", "any", base)]),
            "qa": Evaluation._read_group(
                [
                    ("company_id", "=", company.id),
                    ("user_id", "=", agent.id),
                    ("state", "=", "done"),
                    ("done_date", ">=", START),
                    ("done_date", "<", END),
                ],
                [],
                ["score:avg"],
            ),
        }
        result[agent.id] = figures
    return result


def main():
    args = parser(__doc__)
    args.add_argument("--agents", type=int, default=500)
    args.add_argument("--callbacks", type=int, default=1_000_000)
    args.add_argument("--sample", type=int, default=20, help="agents of the per-agent ORM loop (extrapolated)")
    with odoo_env(args, user_context=False) as (opts, env):
        cr = env.cr
        env.company.partner_id.tz = False  # month edges in UTC, as in the hand-written SQL
        company, users, setup_s = create_data(env, opts.agents, opts.callbacks)
        out("agents", opts.agents)
        out("callbacks", opts.callbacks)
        cr.execute("SELECT count(*) FROM claim_callback_attempt WHERE company_id = %s", [company.id])
        out("attempts", cr.fetchone()[0])
        out("setup_s", setup_s)
        AgentMonth = env["claim.callback.agent.month"]

        _rows, first_s, first_q = benchlib.timed(
            lambda: AgentMonth.compute_month(MONTH, company), lambda: cr.sql_log_count
        )
        rows_ids = _rows.ids
        compute_s, compute_q, rows = best_of(env, lambda: AgentMonth.compute_month(MONTH, company))
        hand_args = {"company": company.id, "start": START, "end": END}

        def hand():
            cr.execute("SET LOCAL jit = off")  # the same session settings as compute_month
            cr.execute(HAND_SQL, hand_args)
            return cr.dictfetchall()

        hand_s, _q, hand_rows = best_of(env, hand)
        aggregate = AgentMonth._aggregate_sql(MONTH, company)

        def raw():
            cr.execute("SET LOCAL jit = off")
            cr.execute(aggregate)
            return cr.fetchall()

        raw_s, _q, _raw_rows = best_of(env, raw)
        sample = users[: opts.sample]
        loop_s, loop_q, loop = best_of(env, lambda: orm_loop(env, company, sample))
        by_user = {row.user_id.id: row for row in rows}
        same = (
            len(hand_rows) == len(rows)
            and all(
                by_user[h["user_id"]].callbacks == h["callbacks"]
                and by_user[h["user_id"]].completed == h["completed"]
                and by_user[h["user_id"]].attempts == h["attempts"]
                and by_user[h["user_id"]].complaints == h["complaints"]
                and by_user[h["user_id"]].rated == h["rated"]
                for h in hand_rows
            )
            and all(
                by_user[uid].callbacks == figures["callbacks"] and by_user[uid].attempts == figures["attempts"]
                for uid, figures in loop.items()
            )
        )
        out("rows", len(rows))
        out("recompute_same_rows", sorted(rows.ids) == sorted(rows_ids))
        out("compute_month_first_run_s", first_s)
        out("compute_month_first_run_queries", first_q)
        out("compute_month_s", compute_s)
        out("compute_month_queries", compute_q)
        out("raw_sql_aggregate_s", raw_s)
        out("compute_month_ratio_to_raw_sql", compute_s / raw_s)
        out("hand_sql_check_s", hand_s)
        out("orm_loop_sample_agents", len(sample))
        out("orm_loop_sample_s", loop_s)
        out("orm_loop_sample_queries", loop_q)
        out("orm_loop_extrapolated_to_all_agents_s", loop_s * opts.agents / len(sample))
        out("orm_loop_extrapolated_to_all_agents_queries", round(loop_q * opts.agents / len(sample)))
        out("same_numbers", same)
        out("target_compute_month_le_2x_raw_sql", "PASS" if compute_s <= 2 * raw_s else "FAIL")
        cr.rollback()


if __name__ == "__main__":
    main()
