"""Benchmark of the hourly risk check: claim.risk.warning._cron_risk_check at two data sizes.

Run through bench/run_bench_risk_check.sh, or by hand on a database that has the addon:
    python bench/bench_risk_check.py --db DB [--sizes 10000,100000] [--sample 3000] -- ODOO_ARGS...

Data (plain SQL inserts, committed, then ANALYZE), one company, 20 teams of 10 agents (half of the
teams with a capacity far below their load, half far above):
per size step, S open callbacks, S/2 callbacks completed over the last 10 weeks with a feedback topic,
10 × S contact attempts over the last 35 days (80 % phone, 30 % of them failed; SMS, e-mail, app,
WeChat messages, 5 % failed), S/2 customers; 40 customers with a low and 40 with a middling latest
score, whatever the size (`--at-risk N`: N of each, for a first run that opens thousands of warnings at once;
`--supervisors S`: S supervisors, members of the teams, no leaders, whom those warnings tell). The second size adds
to the first.
Measured at each size, after clearing the warnings and the customers' risk: the first run (opens every
warning), the rerun (changes nothing), time and queries of this cursor. Baseline in the same run: the
same conditions checked record by record through the ORM (search_count per team, channel, topic, and
per customer its latest callback, complaints and claims), timed on all teams, channels, topics and on
`--sample` customers, extrapolated to every customer.
Figures are printed as `name: value` lines.
"""

import time

import benchlib
from benchlib import odoo_env, out, parser

SMOKE_ARGS = ["--sizes", "500,1000", "--sample", "50"]  # bench/smoke.py (tools/test)
TEAMS = 20
AGENTS_PER_TEAM = 10
FIXED_AT_RISK = 40  # customers with a low and with a middling latest score, at any size


def create_supervisors(env, teams, count):
    """`count` supervisors, members of the teams in turn, none of them a leader: each warning of a team tells its
    members who supervise (what bench/load.sh's data has)."""
    group = env.ref("insurance_claim_callback.group_callback_supervisor")
    tag = time.time_ns()
    supervisors = env["res.users"].with_context(no_reset_password=True, tracking_disable=True).create([
        {"name": f"Risk bench supervisor {i}", "login": f"risk-bench-sup-{tag}-{i}", "group_ids": [(4, group.id)]}
        for i in range(count)
    ])
    for i, supervisor in enumerate(supervisors):
        teams[i % len(teams)].user_ids = [(4, supervisor.id)]
    env.cr.commit()


def create_agents(env):
    group = env.ref("insurance_claim_callback.group_callback_agent")
    tag = time.time_ns()
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, tracking_disable=True)
        .create(
            [
                {"name": f"Risk bench agent {i}", "login": f"risk-bench-{tag}-{i}", "group_ids": [(4, group.id)]}
                for i in range(TEAMS * AGENTS_PER_TEAM)
            ]
        )
    )
    # teams 0-9 at capacity 1 per agent (always short), teams 10-19 with room to spare: ten capacity
    # warnings at every size
    for i, user in enumerate(users):
        user.callback_capacity = 1 if i < len(users) // 2 else 100000
    teams = env["helpdesk.ticket.team"].create(
        [
            {
                "name": f"Risk bench {t}",
                "user_ids": [(6, 0, users[t * AGENTS_PER_TEAM : (t + 1) * AGENTS_PER_TEAM].ids)],
            }
            for t in range(TEAMS)
        ]
    )
    env.cr.commit()
    return users, teams


def add_data(env, users, teams, n_open, first_step, at_risk=FIXED_AT_RISK):
    """n_open open callbacks, n_open / 2 done ones, 10 × n_open attempts, n_open / 2 customers."""
    cr = env.cr
    topics = env["claim.feedback.topic"].search([]).ids
    params = {
        "company": env.company.id,
        "teams": teams.ids,
        "users": users.ids,
        "n_teams": TEAMS,
        "n_users": len(users),
        "n_open": n_open,
        "n_done": n_open // 2,
        "partners": n_open // 2,
        "stage": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
        "uid": env.uid,
        "category": env.ref("insurance_claim_callback.claim_category_routine").id,
        "topics": topics,
        "n_topics": len(topics),
        "tag": f"R{time.time_ns()}",
        "fixed": at_risk if first_step else 0,
    }
    cr.execute(
        """
        INSERT INTO res_partner (name, active, type, callback_consent, create_date, write_date)
        SELECT 'Risk bench customer ' || i, true, 'contact', 'granted', now(), now()
          FROM generate_series(1, %(partners)s) i RETURNING id
    """,
        params,
    )
    partner_ids = [r[0] for r in cr.fetchall()]
    params["p0"] = partner_ids[0]
    cr.execute(
        """
        INSERT INTO helpdesk_ticket (company_id, name, description, is_claim, claim_number, claim_category_id,
                                     partner_id, team_id, stage_id, closed_date, callback_status,
                                     create_date, write_date, create_uid, write_uid)
        SELECT %(company)s, 'Claim ' || i, 'bench', true, %(tag)s || '-' || i, %(category)s,
               %(p0)s + i %% %(partners)s, (%(teams)s::int[])[1 + i %% %(n_teams)s], %(stage)s,
               now() - (i %% 80) * interval '1 day', 'pending', now() - interval '1 day', now() - interval '1 day',
               %(uid)s, %(uid)s
          FROM generate_series(0, %(n_open)s + %(n_done)s - 1) i
    """,
        params,
    )
    cr.execute("SELECT min(id) FROM helpdesk_ticket WHERE claim_number = %s", [f"{params['tag']}-0"])
    params["t0"] = cr.fetchone()[0]
    # tickets t0 .. t0 + n_open - 1: open callbacks; the rest: done over the last 10 weeks; the first
    # `fixed` done ones were completed an hour ago with a score of 2, the next `fixed` with 3
    cr.execute(
        """
        INSERT INTO claim_callback (ticket_id, company_id, team_id, user_id, partner_id, sequence, state,
                                    sla_start_date, sla_first_contact_deadline, sla_completion_deadline,
                                    completed_date, satisfaction, sla_first_contact_status, sla_completion_status,
                                    create_date, write_date, create_uid, write_uid)
        SELECT t.id, t.company_id, t.team_id, (%(users)s::int[])[1 + (t.id - %(t0)s) %% %(n_users)s], t.partner_id, 1,
               CASE WHEN k < %(n_open)s THEN (ARRAY['scheduled', 'in_progress'])[1 + k %% 2] ELSE 'done' END,
               t.closed_date, t.closed_date + interval '24 hours', t.closed_date + interval '72 hours',
               CASE WHEN k < %(n_open)s THEN NULL
                    WHEN k - %(n_open)s < 2 * %(fixed)s THEN now() - interval '1 hour'
                    ELSE now() - interval '1 day' - ((k - %(n_open)s) %% (70 * 24)) * interval '1 hour' END,
               CASE WHEN k < %(n_open)s THEN 0 WHEN k - %(n_open)s < %(fixed)s THEN 2
                    WHEN k - %(n_open)s < 2 * %(fixed)s THEN 3 ELSE 4 + k %% 2 END,
               'on_track', 'on_track', now() - interval '1 day', now() - interval '1 day', %(uid)s, %(uid)s
          FROM (SELECT t.*, t.id - %(t0)s AS k FROM helpdesk_ticket t WHERE t.id >= %(t0)s) t
    """,
        params,
    )
    cr.execute(
        """
        INSERT INTO claim_callback_topic_rel (callback_id, topic_id)
        SELECT cb.id, (%(topics)s::int[])[1 + (cb.id * 31) %% %(n_topics)s]
          FROM claim_callback cb WHERE cb.ticket_id >= %(t0)s AND cb.state = 'done'
    """,
        params,
    )
    cr.execute(
        """
        INSERT INTO claim_callback_attempt (callback_id, company_id, channel, outcome, date, user_id, duration, cost)
        SELECT cb.id, cb.company_id, ch.channel,
               CASE WHEN ch.channel = 'phone' THEN
                        CASE WHEN (cb.id + g) %% 10 < 3 THEN (ARRAY['no_answer', 'busy', 'wrong_number', 'refused'])[1 + g %% 4]
                             ELSE 'reached' END
                    WHEN (cb.id + g) %% 20 = 0 THEN 'message_failed' ELSE 'message_sent' END,
               now() - ((cb.id::bigint * 7919 + g * 104729) %% (35 * 24 * 60)) * interval '1 minute',
               cb.user_id, 60, 0.35
          FROM claim_callback cb
          JOIN generate_series(0, 9) g ON true
          JOIN LATERAL (SELECT CASE WHEN (cb.id + g) %% 20 < 16 THEN 'phone'
                                    ELSE (ARRAY['sms', 'email', 'app', 'wechat'])[1 + (cb.id + g) %% 4] END AS channel) ch
            ON true
         WHERE cb.ticket_id >= %(t0)s AND cb.state != 'done'
    """,
        params,
    )
    cr.commit()
    for table in (
        "res_partner",
        "helpdesk_ticket",
        "claim_callback",
        "claim_callback_attempt",
        "claim_callback_topic_rel",
    ):
        cr.execute(f"ANALYZE {table}")  # noqa: S608 - fixed table names
    cr.commit()


def reset_warnings(env):
    """Back to no warning, no customer at risk and nothing counted, so that each size's first run opens the same
    set and counts every hour, day and customer (what the first run after an upgrade does)."""
    from odoo.addons.insurance_claim_callback.models import (  # noqa: PLC0415 (the addons path is set by now)
        claim_callback_attempt_hour,
        claim_callback_topic_day,
        res_partner_callback_risk,
    )

    marks = (
        claim_callback_attempt_hour.WATERMARK,
        claim_callback_topic_day.CHECKED_AT,
        res_partner_callback_risk.RISK_CHECKED_AT,
    )
    cr = env.cr
    cr.execute("DELETE FROM mail_activity WHERE res_model = 'claim.risk.warning'")
    cr.execute("DELETE FROM claim_risk_warning")
    cr.execute(
        "UPDATE res_partner SET callback_risk = NULL, callback_risk_reason = NULL WHERE callback_risk IS NOT NULL"
    )
    cr.execute("DELETE FROM claim_callback_attempt_hour")
    cr.execute("DELETE FROM claim_callback_topic_day")
    cr.execute("DELETE FROM ir_config_parameter WHERE key IN %s", [marks])
    cr.commit()
    env.invalidate_all()
    env.registry.clear_cache()  # the parameters' cache


def add_hour_of_activity(env, n_open):
    """What an hour brings at this size: 10 attempts per open callback over 35 days (n_open / 84 in an hour),
    and as many callbacks completed as the data has per hour (n_open / 2 over 10 weeks)."""
    cr = env.cr
    params = {"attempts": max(1, n_open // 84), "completed": max(1, n_open // 2 // (70 * 24))}
    cr.execute(
        """
        INSERT INTO claim_callback_attempt (callback_id, company_id, channel, outcome, date, user_id, duration, cost)
        SELECT cb.id, cb.company_id, 'phone', CASE WHEN cb.id %% 3 = 0 THEN 'no_answer' ELSE 'reached' END,
               now() - (cb.id %% 60) * interval '1 minute', cb.user_id, 60, 0.35
          FROM claim_callback cb WHERE cb.state IN ('scheduled', 'in_progress')
         ORDER BY cb.id DESC LIMIT %(attempts)s
        """,
        params,
    )
    cr.execute(
        """
        UPDATE claim_callback SET state = 'done', completed_date = now(), satisfaction = 1 + id %% 5,
                                  write_date = now()
         WHERE id IN (SELECT id FROM claim_callback WHERE state IN ('scheduled', 'in_progress')
                       ORDER BY id LIMIT %(completed)s)
        """,
        params,
    )
    cr.commit()
    return params


def run_check(env):
    Warning = env["claim.risk.warning"]
    env.invalidate_all()
    _r, seconds, queries = benchlib.timed(Warning._cron_risk_check, lambda: env.cr.sql_log_count)
    env.flush_all()
    env.cr.commit()
    counts = dict(Warning._read_group([("state", "!=", "resolved")], ["kind"], ["__count"]))
    return seconds, queries, counts


def per_record_check(env, sample):
    """The same conditions, one ORM count per team / channel / topic / customer (the loop a first
    version would write). Returns (seconds for teams, channels and topics, seconds per customer, customers)."""
    from datetime import timedelta  # noqa: PLC0415

    from odoo import fields  # noqa: PLC0415

    Callback, Attempt = env["claim.callback"], env["claim.callback.attempt"]
    now = fields.Datetime.now()
    env.invalidate_all()
    t0 = time.perf_counter()
    for team in env["helpdesk.ticket.team"].search([]):
        Callback.search_count([("team_id", "=", team.id), ("state", "in", ("scheduled", "in_progress"))])
        sum(team.user_ids.mapped("callback_capacity"))
        for since, until in ((now - timedelta(days=7), now), (now - timedelta(days=35), now - timedelta(days=7))):
            dom = [
                ("callback_id.team_id", "=", team.id),
                ("channel", "=", "phone"),
                ("date", ">=", since),
                ("date", "<", until),
            ]
            Attempt.search_count(dom)
            Attempt.search_count([*dom, ("outcome", "in", ("no_answer", "busy", "wrong_number", "refused"))])
    for company in env["res.company"].search([]):
        for channel in ("sms", "email", "wechat", "app"):
            dom = [
                ("company_id", "=", company.id),
                ("channel", "=", channel),
                ("date", ">=", now - timedelta(hours=24)),
            ]
            Attempt.search_count(dom)
            Attempt.search_count([*dom, ("outcome", "=", "message_failed")])
        for topic in env["claim.feedback.topic"].search([]):
            dom = [("company_id", "=", company.id), ("state", "=", "done"), ("topic_ids", "in", topic.ids)]
            Callback.search_count([*dom, ("completed_date", ">=", now - timedelta(days=7))])
            Callback.search_count(
                [
                    *dom,
                    ("completed_date", ">=", now - timedelta(days=63)),
                    ("completed_date", "<", now - timedelta(days=7)),
                ]
            )
    fixed = time.perf_counter() - t0
    env.cr.execute("SELECT DISTINCT partner_id FROM claim_callback WHERE partner_id IS NOT NULL")
    partners = [r[0] for r in env.cr.fetchall()]
    t0 = time.perf_counter()
    for partner in env["res.partner"].browse(partners[:sample]):
        latest = Callback.search(
            [("partner_id", "=", partner.id), ("state", "=", "done")], order="completed_date desc, id desc", limit=1
        )
        env["helpdesk.ticket"].search_count(
            [("partner_id", "=", partner.id), ("is_complaint", "=", True), ("stage_id.closed", "=", False)]
        )
        env["helpdesk.ticket"].search_count(
            [("partner_id", "=", partner.id), ("is_claim", "=", True), ("callback_status", "=", "limit_reached")]
        )
        latest.satisfaction  # noqa: B018 - read, as the loop decides on it
    per_customer = (time.perf_counter() - t0) / max(1, min(sample, len(partners)))
    return fixed, per_customer, len(partners)


def main():
    args = parser(__doc__)
    args.add_argument("--sizes", default="10000,100000", help="open callbacks at each step (cumulative)")
    args.add_argument("--sample", type=int, default=3000, help="customers the per-record baseline times")
    args.add_argument("--at-risk", type=int, default=FIXED_AT_RISK,
                      help="customers with a low (and as many with a middling) latest score; at most a quarter of the "
                           "first size")
    args.add_argument("--supervisors", type=int, default=0, help="supervisors, members of the teams, no leaders")
    with odoo_env(args, user_context=False) as (opts, env):
        sizes = [int(s) for s in opts.sizes.split(",")]
        users, teams = create_agents(env)
        create_supervisors(env, teams, opts.supervisors)
        done, hourly = 0, {}
        for step, size in enumerate(sizes):
            t0 = time.perf_counter()
            add_data(env, users, teams, size - done, first_step=step == 0, at_risk=opts.at_risk)
            done = size
            env.cr.execute("SELECT count(*) FROM claim_callback WHERE state IN ('scheduled', 'in_progress')")
            n_open = env.cr.fetchone()[0]
            env.cr.execute("SELECT count(*) FROM claim_callback_attempt")
            n_att = env.cr.fetchone()[0]
            p = f"size{step + 1}_"
            out(p + "open_callbacks", n_open)
            out(p + "attempts", n_att)
            out(p + "setup_s", time.perf_counter() - t0)
            reset_warnings(env)
            seconds, queries, counts = run_check(env)
            out(p + "risk_check_first_run_s", seconds)
            out(p + "risk_check_first_run_queries", queries)
            out(p + "warnings_open", sum(counts.values()))
            out(p + "warnings_by_kind", " ".join(f"{k}={n}" for k, n in sorted(counts.items())))
            env.cr.execute("SELECT count(*) FROM mail_activity WHERE res_model = 'claim.risk.warning'")
            out(p + "warning_todos", env.cr.fetchone()[0])
            seconds, queries, counts_again = run_check(env)
            out(p + "risk_check_rerun_s", seconds)
            out(p + "risk_check_rerun_queries", queries)
            out(p + "rerun_changed_nothing", counts_again == counts)
            activity = add_hour_of_activity(env, n_open)
            out(p + "hour_new_attempts", activity["attempts"])
            out(p + "hour_completed_callbacks", activity["completed"])
            seconds, queries, _counts = run_check(env)
            out(p + "risk_check_hourly_run_s", seconds)
            out(p + "risk_check_hourly_run_queries", queries)
            hourly[size] = seconds
            fixed, per_customer, customers = per_record_check(env, opts.sample)
            out(p + "per_record_customers", customers)
            out(p + "per_record_sampled_customers", min(opts.sample, customers))
            out(p + "per_record_loop_s_extrapolated", fixed + per_customer * customers)
            out(p + "per_record_ratio_to_risk_check", (fixed + per_customer * customers) / seconds)
        if len(hourly) > 1:
            first, last = min(hourly), max(hourly)
            out("hourly_run_growth", f"{hourly[last] / hourly[first]:.2f}x for {last / first:.0f}x the data")


if __name__ == "__main__":
    main()
