"""Benchmark of the monthly KPIs: claim.callback.kpi.compute_month and the analysis pivot's _read_group.

Run through bench/run_bench_kpi.sh, or by hand on a database that has the addon:
    python bench/bench_kpi.py --db DB [--claims 300000] [--callbacks 1000000] -- ODOO_ARGS...

Data (plain SQL inserts, committed, then ANALYZE), in March 2026 for one company:
  N closed claims (plus N/3 earlier claims for the repeat-claim rate), C callbacks (the first
  of every claim, the rest follow-ups), C attempts, N/10 feedback issues and N/60 complaints;
  N/60 complaints in the baseline year.
The company has a KPI baseline period (BASELINE, the year before the programme, with N/60
complaints of its own), as insurers configure it, so compute_month also scans that period for the
baseline complaint and repeat-claim rates; it is timed once without the period too, for comparison.
Measured, best of 3 warm runs, against hand-written SQL computing the same numbers in the same run
(one query for the month, one for the baseline period): compute_month (time, queries) and the
pivot's _read_group by agent (time, queries).
Figures are printed as `name: value` lines.
"""

import time
from datetime import date, datetime, timedelta

from benchlib import best_of, odoo_env, out, parser

SMOKE_ARGS = ["--claims", "2000", "--callbacks", "5000"]  # bench/smoke.py (tools/test)
MONTH = date(2026, 3, 1)
START, END = datetime(2026, 3, 1), datetime(2026, 4, 1)
BASELINE = (date(2025, 1, 1), date(2025, 12, 31))  # the year before the programme, as insurers set it
AGENTS = 20


def create_data(env, n_claims, n_callbacks):
    cr = env.cr
    company = env.company
    group = env.ref("insurance_claim_callback.group_callback_agent")
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, tracking_disable=True)
        .create(
            [
                {
                    "name": f"KPI bench agent {i}",
                    "login": f"kpi-bench-{time.time_ns()}-{i}",
                    "group_ids": [(4, group.id)],
                }
                for i in range(AGENTS)
            ]
        )
    )
    team = env["helpdesk.ticket.team"].create({"name": "KPI bench", "user_ids": [(6, 0, users.ids)]})
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id
    category = env.ref("insurance_claim_callback.claim_category_routine").id
    n_old = n_claims // 3
    params = {
        "company": company.id,
        "team": team.id,
        "stage": stage,
        "category": category,
        "uid": env.uid,
        "n": n_claims,
        "n_old": n_old,
        "partners": n_claims // 2,
        "users": users.ids,
        "n_users": AGENTS,
        "start": START,
        "tag": f"K{time.time_ns()}",
    }
    t0 = time.perf_counter()
    cr.execute(
        """
        INSERT INTO res_partner (name, active, type, callback_consent, create_date, write_date)
        SELECT 'KPI bench customer ' || i, true, 'contact', 'granted', now(), now()
          FROM generate_series(1, %(partners)s) i
        RETURNING id
    """,
        params,
    )
    params["partner_ids"] = [r[0] for r in cr.fetchall()]
    params["p0"] = params["partner_ids"][0]
    # March claims closed every ~9 s, earlier claims over the previous 14 months
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (company_id, name, description, is_claim, claim_number, policy_number,
                                     claim_category_id, partner_id, team_id, stage_id, closed_date,
                                     callback_status, create_date, write_date, create_uid, write_uid)
        SELECT %(company)s, 'Claim ' || i, 'bench', true, %(tag)s || '-' || i, 'POL-' || (i %% 200000),
               %(category)s, %(p0)s + (i::bigint * 7919) %% %(partners)s, %(team)s, %(stage)s,
               CASE WHEN i <= %(n)s THEN %(start)s::timestamp + make_interval(secs => i::float * 2678399 / %(n)s)
                    ELSE %(start)s::timestamp - make_interval(secs => (i - %(n)s)::float * 36720000 / %(n_old)s) END,
               CASE WHEN i %% 50 = 0 THEN 'opted_out' ELSE 'pending' END,
               %(start)s::timestamp - interval '30 days', now(), %(uid)s, %(uid)s
          FROM generate_series(1, %(n)s + %(n_old)s) i
    """,
        params,
    )
    cr.execute("SELECT min(id) FROM helpdesk_ticket WHERE claim_number = %s", [f"{params['tag']}-1"])
    params["t0"] = cr.fetchone()[0]
    # first callback of every claim (March claims: varied outcomes), then follow-ups of March claims;
    # follow-ups are done, so a claim never has two open callbacks
    params["extra"] = max(n_callbacks - n_claims, 0)
    cr.execute(
        """
        INSERT INTO claim_callback (ticket_id, company_id, team_id, user_id, partner_id, sequence, state,
                                    sla_start_date, sla_first_contact_deadline, sla_completion_deadline,
                                    first_attempt_date, completed_date, satisfaction, sla_first_contact_status,
                                    sla_completion_status, create_date, write_date, create_uid, write_uid)
        SELECT t.id, t.company_id, t.team_id, (%(users)s::int[])[1 + t.id %% %(n_users)s], t.partner_id, s.seq,
               CASE WHEN t.id %% 10 < 7 OR s.seq > 1 THEN 'done' ELSE 'in_progress' END,
               t.closed_date + (s.seq - 1) * interval '3 days', t.closed_date + interval '24 hours',
               t.closed_date + interval '72 hours',
               t.closed_date + (t.id %% 30) * interval '1 hour',
               CASE WHEN t.id %% 10 < 7 OR s.seq > 1 THEN t.closed_date + (s.seq - 1) * interval '3 days'
                                           + (t.id %% 90) * interval '1 hour' END,
               CASE WHEN t.id %% 10 < 7 OR s.seq > 1 THEN 1 + t.id %% 5 ELSE 0 END, 'on_track', 'on_track',
               now(), now(), %(uid)s, %(uid)s
          FROM helpdesk_ticket t
          JOIN LATERAL (SELECT 1 AS seq UNION ALL
                        SELECT g FROM generate_series(2, 1 + ceil(%(extra)s::float / %(n)s)::int) g) s
            ON s.seq = 1 OR t.id - %(t0)s < %(n)s
         WHERE t.id >= %(t0)s
           AND (s.seq = 1 OR (t.id - %(t0)s) + (s.seq - 2) * %(n)s < %(extra)s)
    """,
        params,
    )
    # one attempt per callback of the March claims
    cr.execute(
        """
        INSERT INTO claim_callback_attempt (callback_id, company_id, channel, outcome, date, user_id, duration, cost)
        SELECT cb.id, cb.company_id, (ARRAY['phone', 'sms', 'email', 'wechat', 'app'])[1 + cb.id %% 5],
               CASE WHEN cb.id %% 5 < 3 THEN 'reached' ELSE 'no_answer' END,
               LEAST(cb.sla_start_date + (cb.id %% 80) * interval '1 hour', %(start)s::timestamp + interval '30 days'),
               cb.user_id, 60, 0.35
          FROM claim_callback cb
         WHERE cb.ticket_id >= %(t0)s AND cb.ticket_id < %(t0)s + %(n)s
    """,
        params,
    )
    env["claim.callback"]._store_attempt_summaries()
    # feedback issues raised in March callbacks, and complaints
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (company_id, name, description, source_callback_id, is_complaint, partner_id,
                                     team_id, stage_id, create_date, closed_date, write_date, create_uid, write_uid)
        SELECT cb.company_id, 'Issue', 'bench', cb.id, cb.id %% 6 = 0, cb.partner_id, cb.team_id, %(stage)s,
               cb.sla_start_date + interval '2 hours',
               CASE WHEN cb.id %% 3 > 0 THEN cb.sla_start_date + (cb.id %% 70) * interval '1 hour' END,
               now(), %(uid)s, %(uid)s
          FROM claim_callback cb
         WHERE cb.ticket_id >= %(t0)s AND cb.ticket_id < %(t0)s + %(n)s AND cb.sequence = 1 AND cb.id %% 10 = 0
    """,
        params,
    )
    # complaints of the baseline year (before the callback programme), not linked to a callback
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (company_id, name, description, is_complaint, partner_id, team_id, stage_id,
                                     create_date, closed_date, write_date, create_uid, write_uid)
        SELECT %(company)s, 'Complaint ' || i, 'bench', true, %(p0)s + (i::bigint * 104729) %% %(partners)s,
               %(team)s, %(stage)s, %(base_start)s::timestamp + make_interval(secs => i::float * 31535999 / %(n_compl)s),
               NULL, now(), %(uid)s, %(uid)s
          FROM generate_series(1, %(n_compl)s) i
    """,
        {**params, "base_start": datetime.combine(BASELINE[0], datetime.min.time()), "n_compl": max(1, n_old // 20)},
    )
    cr.commit()
    for table in ("res_partner", "helpdesk_ticket", "claim_callback", "claim_callback_attempt"):
        cr.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
    cr.commit()
    with cr._cnx.cursor() as raw:  # VACUUM cannot run in a transaction: sets the visibility map
        cr._cnx.autocommit = True
        for table in ("helpdesk_ticket", "claim_callback", "claim_callback_attempt"):
            raw.execute(f"VACUUM {table}")  # noqa: S608 - fixed table names
        cr._cnx.autocommit = False
    cr.execute("SELECT count(*) FROM claim_callback WHERE ticket_id >= %(t0)s", params)
    n_cb = cr.fetchone()[0]
    cr.execute(
        "SELECT count(*) FROM claim_callback_attempt a JOIN claim_callback cb ON cb.id = a.callback_id "
        "WHERE cb.ticket_id >= %(t0)s",
        params,
    )
    n_att = cr.fetchone()[0]
    return company, time.perf_counter() - t0, n_cb, n_att


HAND_CLAIMS_SQL = """
WITH c AS (
    SELECT t.id, t.closed_date, t.callback_status IS DISTINCT FROM 'opted_out' AS contactable,
           CASE WHEN t.partner_id IS NOT NULL THEN
               lag(t.closed_date) OVER (PARTITION BY t.partner_id ORDER BY t.closed_date, t.id) END AS prev_partner,
           CASE WHEN t.policy_number IS NOT NULL THEN
               lag(t.closed_date) OVER (PARTITION BY t.policy_number ORDER BY t.closed_date, t.id) END AS prev_policy
      FROM helpdesk_ticket t
     WHERE t.is_claim AND t.company_id = %(company)s
       AND t.closed_date >= %(start)s::timestamp - interval '12 months' AND t.closed_date < %(end)s
), claims AS (
    SELECT count(*) AS closed, count(*) FILTER (WHERE contactable) AS contactable,
           count(*) FILTER (WHERE contactable AND (
               (cb.state = 'done' AND cb.completed_date <= t.closed_date + interval '72 hours')
               OR EXISTS (SELECT 1 FROM claim_callback_attempt a WHERE a.callback_id = cb.id
                             AND a.outcome = 'reached' AND a.date <= t.closed_date + interval '72 hours'))) AS covered,
           count(*) FILTER (WHERE contactable AND cb.first_attempt_date <= t.closed_date + interval '24 hours') AS first,
           count(*) FILTER (WHERE prev_partner >= t.closed_date - interval '12 months'
                               OR prev_policy >= t.closed_date - interval '12 months') AS repeat
      FROM c t LEFT JOIN claim_callback cb ON cb.ticket_id = t.id AND cb.sequence = 1
     WHERE t.closed_date >= %(start)s
)"""
HAND_ISSUES_SQL = """
issues AS (
    SELECT count(*) FILTER (WHERE source_callback_id IS NOT NULL) AS opened,
           count(*) FILTER (WHERE source_callback_id IS NOT NULL
                              AND closed_date <= create_date + interval '48 hours') AS resolved,
           count(*) FILTER (WHERE is_complaint) AS complaints
      FROM helpdesk_ticket WHERE company_id = %(company)s AND (source_callback_id IS NOT NULL OR is_complaint)
       AND create_date >= %(start)s AND create_date < %(end)s
)"""
HAND_KPI_SQL = (
    HAND_CLAIMS_SQL
    + """, sat AS (
    SELECT count(*) FILTER (WHERE satisfaction >= 1) AS rated, count(*) FILTER (WHERE satisfaction >= 4) AS happy
      FROM claim_callback WHERE company_id = %(company)s AND state = 'done'
       AND completed_date >= %(start)s AND completed_date < %(end)s
), """
    + HAND_ISSUES_SQL
    + """, cost AS (
    SELECT COALESCE(sum(cost), 0) AS total FROM claim_callback_attempt
     WHERE company_id = %(company)s AND date >= %(start)s AND date < %(end)s
)
SELECT * FROM claims, sat, issues, cost
"""
)
# the company's baseline period: the same claim and issue counts as the month's, over the period
HAND_BASELINE_SQL = (
    HAND_CLAIMS_SQL
    + ", "
    + HAND_ISSUES_SQL
    + """
SELECT * FROM claims, issues
"""
)

HAND_PIVOT_SQL = """
SELECT cb.user_id, count(*),
       avg(CASE WHEN cb.state = 'done' THEN 100.0 ELSE 0.0 END),
       avg(CASE WHEN cb.state = 'done' AND cb.completed_date <= cb.sla_completion_deadline THEN 100.0 ELSE 0.0 END),
       avg(NULLIF(cb.satisfaction, 0)),
       avg(COALESCE(a.n, 0))
  FROM claim_callback cb
  LEFT JOIN (SELECT callback_id, count(*) AS n FROM claim_callback_attempt GROUP BY callback_id) a
    ON a.callback_id = cb.id
 WHERE cb.sla_start_date >= %(start)s AND cb.sla_start_date < %(end)s
 GROUP BY cb.user_id
"""


def main():
    args = parser(__doc__)
    args.add_argument("--claims", type=int, default=300_000)
    args.add_argument("--callbacks", type=int, default=1_000_000)
    with odoo_env(args, user_context=False) as (opts, env):
        cr = env.cr
        env.company.partner_id.tz = False  # month edges in UTC, as in the hand-written SQL
        company, setup_s, n_cb, n_att = create_data(env, opts.claims, opts.callbacks)
        out("claims_closed_in_month", opts.claims)
        out("callbacks", n_cb)
        out("attempts", n_att)
        out("setup_s", setup_s)
        Kpi = env["claim.callback.kpi"]
        args = {"company": company.id, "start": START, "end": END}
        base_start, base_end = (datetime.combine(d, datetime.min.time()) for d in BASELINE)
        base_args = {"company": company.id, "start": base_start, "end": base_end + timedelta(days=1)}

        def hand_kpi(with_baseline):
            cr.execute("SET LOCAL jit = off")  # the same session settings as compute_month
            cr.execute(HAND_KPI_SQL, args)
            month = cr.dictfetchone()
            if not with_baseline:
                return month, None
            cr.execute(HAND_BASELINE_SQL, base_args)
            return month, cr.dictfetchone()

        # without a baseline period (the two baseline scans are skipped), for comparison
        nobase_s, nobase_q, _kpi = best_of(env, lambda: Kpi.compute_month(MONTH, company))
        hand_nobase_s, _q, _hand = best_of(env, lambda: hand_kpi(False))
        # with the baseline period an insurer sets: the year before the programme
        company.write({"callback_baseline_start": BASELINE[0], "callback_baseline_end": BASELINE[1]})
        env.flush_all()
        kpi_s, kpi_q, kpi = best_of(env, lambda: Kpi.compute_month(MONTH, company))
        hand_s, _hand_q, (hand, hand_base) = best_of(env, lambda: hand_kpi(True))
        same = (
            kpi.claims_closed == hand["closed"]
            and kpi.covered_claims == hand["covered"]
            and kpi.first_contact_claims == hand["first"]
            and kpi.repeat_claims == hand["repeat"]
            and kpi.satisfied_callbacks == hand["happy"]
            and kpi.issues_resolved_48h == hand["resolved"]
            and abs(kpi.cost_total - float(hand["total"])) < 0.01
        )
        base_complaint = 100.0 * hand_base["complaints"] / hand_base["closed"] if hand_base["closed"] else 0.0
        base_repeat = 100.0 * hand_base["repeat"] / hand_base["closed"] if hand_base["closed"] else 0.0
        same_base = (
            abs(kpi.complaint_rate_baseline - base_complaint) < 0.01
            and abs(kpi.repeat_claim_rate_baseline - base_repeat) < 0.01
        )
        out("baseline_period", f"{BASELINE[0]} to {BASELINE[1]}")
        out("baseline_claims_closed", hand_base["closed"])
        out("baseline_complaints", hand_base["complaints"])
        out("compute_month_no_baseline_s", nobase_s)
        out("compute_month_no_baseline_queries", nobase_q)
        out("hand_sql_kpi_no_baseline_s", hand_nobase_s)
        out("compute_month_s", kpi_s)
        out("compute_month_queries", kpi_q)
        out("hand_sql_kpi_s", hand_s)
        out("compute_month_ratio_to_hand_sql", kpi_s / hand_s)
        out("compute_month_same_numbers", same)
        out("compute_month_same_baseline_rates", same_base)
        out("kpi_coverage_72h", kpi.coverage_72h)
        out("kpi_satisfaction_rate", kpi.satisfaction_rate)
        out("kpi_complaint_rate_baseline", kpi.complaint_rate_baseline)
        out("kpi_repeat_claim_rate_baseline", kpi.repeat_claim_rate_baseline)

        Analysis = env["claim.callback.analysis"]
        domain = [("date", ">=", START), ("date", "<", END)]
        aggregates = ["__count", "completion_rate:avg", "on_time_rate:avg", "satisfaction:avg", "attempt_count:avg"]
        pivot_s, pivot_q, groups = best_of(env, lambda: Analysis._read_group(domain, ["user_id"], aggregates))

        def hand_pivot():
            cr.execute(HAND_PIVOT_SQL, args)
            return cr.fetchall()

        hand_pivot_s, _q, hand_rows = best_of(env, hand_pivot)
        out("pivot_read_group_s", pivot_s)
        out("pivot_read_group_queries", pivot_q)
        out("hand_sql_pivot_s", hand_pivot_s)
        out("pivot_ratio_to_hand_sql", pivot_s / hand_pivot_s)
        out("pivot_same_counts", sorted(g[1] for g in groups) == sorted(r[1] for r in hand_rows))
        out("target_compute_month_le_3s", "PASS" if kpi_s <= 3 else "FAIL")
        out("target_compute_month_le_1.5x_sql", "PASS" if kpi_s <= 1.5 * hand_s else "FAIL")
        out("target_pivot_le_3s", "PASS" if pivot_s <= 3 else "FAIL")
        out("target_pivot_le_1.5x_sql", "PASS" if pivot_s <= 1.5 * hand_pivot_s else "FAIL")
        cr.rollback()


if __name__ == "__main__":
    main()
