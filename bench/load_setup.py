"""Data for bench/load.sh and bench/faults.sh, on a database that has the addon (no demo data).

    python bench/load_setup.py --db DB --out agents.json [--callbacks 10000] [--unassigned 2000]
        [--backlog 1000] [--fallback 300] [--agents 50] [--teams 5] -- ODOO_ARGS...
    python bench/load_setup.py --db DB --backlog 1000 --only-backlog -- ODOO_ARGS...

Full mode: `--teams` helpdesk teams of `--agents` Callback Agents in all (each with an API key, written
with its login, uid and team to `--out`), `--callbacks` closed claims whose first callbacks the
addon's own scheduler creates (least-loaded agent, SLA from the closure, closures spread over the last
70 hours so that the SLA cron has transitions to make), `--unassigned` of them then made unassigned
team work (contended: every agent of the team sees them), `--fallback` callbacks whose phone is
exhausted (fallback due now), and `--backlog` more closed claims left waiting for the scheduling
cron. Customers' time zones put "now" inside the calling windows (the fallback sends at once).
The addon's crons run every minute from now; Odoo's mail and SMS queue crons are switched off (no
outbound network: the messages stay queued, and countable).

Web mode (bench/load.sh --scenario web, bench/locustfile_web.py): `--password` gives every user a
password (hashed once, set by SQL) for /web/login, `--supervisors` Callback Supervisors (one team each,
round robin) and `--managers` Callback Managers are added, and `--history` more claims closed over the
last `--months` months get their callbacks done (an attempt and a rating each, by SQL), whose monthly
KPIs are then computed, so that the KPI screens, the analysis pivot and the customers' history have data.
`--out` then lists every user with its role and password.
"""

import gc
import json
import random
from datetime import UTC, datetime, timedelta

from benchlib import odoo_env, out, parser

from odoo import fields

NO_MAIL = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True, "no_reset_password": True}
CREATE_BATCH = 1000
ADDON_CRONS = ["ir_cron_schedule_callbacks", "ir_cron_sla_check", "ir_cron_send_fallback", "ir_cron_advance_chains"]


def in_window_tz():
    """An Etc/GMT zone where the local hour is now about 13:00 (inside every default window)."""
    offset = (13 - datetime.now(UTC).hour + 12) % 24 - 12  # local = utc + offset, in -12..11
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-8 is UTC+8


def create_users(env, role, n, **vals):
    group = env.ref(f"insurance_claim_callback.group_callback_{role}")
    return (
        env["res.users"]
        .with_context(**NO_MAIL)
        .create(
            [
                {"name": f"Load {role} {i}", "login": f"load-{role}-{i}", "group_ids": [(4, group.id)], **vals}
                for i in range(n)
            ]
        )
    )


def create_agents(env, n_agents, n_teams):
    users = create_users(env, "agent", n_agents, callback_capacity=10**6)
    teams = (
        env["helpdesk.ticket.team"]
        .with_context(**NO_MAIL)
        .create([{"name": f"Load team {t}", "user_ids": [(6, 0, users[t::n_teams].ids)]} for t in range(n_teams)])
    )
    agents = []
    for user in users:
        key = env["res.users.apikeys"].with_user(user).sudo()._generate(None, "load bench", None)
        team = teams.filtered(lambda t, u=user: u in t.user_ids)
        agents.append({"login": user.login, "uid": user.id, "team_id": team.id, "key": key})
    env.cr.commit()
    return teams, agents


def create_claims(env, teams, n, prefix, hours=70):
    """N closed claims over `teams`, closed over the last `hours` hours, committed by batches."""
    stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
    categories = env["claim.category"].search([])
    tz = in_window_tz()
    now = fields.Datetime.now()
    rng = random.Random(n)
    Partner, Ticket = env["res.partner"].with_context(**NO_MAIL), env["helpdesk.ticket"].with_context(**NO_MAIL)
    for start in range(0, n, CREATE_BATCH):
        idx = range(start, min(n, start + CREATE_BATCH))
        partners = Partner.create(
            [
                {
                    "name": f"{prefix} customer {i}",
                    "phone": f"+32 470 {i % 1000000:06d}",
                    "tz": tz,
                    "email": f"{prefix.lower()}-{i}@example.com",
                    "lang": "en_US",
                }
                for i in idx
            ]
        )
        Ticket.create(
            [
                {
                    "name": f"Claim {prefix}-{i}",
                    "description": "<p>Settled claim</p>",
                    "number": f"{prefix}-{i}",
                    "is_claim": True,
                    "claim_number": f"{prefix}-{i}",
                    "policy_number": f"POL-{i}",
                    "claim_category_id": categories[i % len(categories)].id if categories else False,
                    "claim_amount": 1000.0 + i % 5000,
                    "paid_amount": 800.0,
                    "partner_id": partner.id,
                    "team_id": teams[i % len(teams)].id,
                    "stage_id": stage.id,
                    "closed_date": now - timedelta(seconds=rng.uniform(60, hours * 3600)),
                }
                for i, partner in zip(idx, partners, strict=True)
            ]
        )
        env.cr.commit()
        env.invalidate_all()
        gc.collect()


def create_web_users(env, teams, agents, opts):
    """Supervisors (one team each) and managers; a password for everyone; the users file's rows."""
    supervisors = create_users(env, "supervisor", opts.supervisors)
    managers = create_users(env, "manager", opts.managers)
    for i, user in enumerate(supervisors):
        teams[i % len(teams)].user_ids = [(4, user.id)]
    users = env["res.users"].browse([a["uid"] for a in agents]) | supervisors | managers
    # one hash for all: hashing each password (pbkdf2) would take a second per user
    env.cr.execute(
        "UPDATE res_users SET password = %s WHERE id IN %s",
        [users._crypt_context().hash(opts.password), tuple(users.ids)],
    )
    company = env.company.id
    rows = [{**a, "role": "agent", "password": opts.password, "company_id": company} for a in agents]
    for i, user in enumerate(supervisors):
        team = teams[i % len(teams)]
        members = [a["uid"] for a in agents if a["team_id"] == team.id]
        rows.append(
            {"login": user.login, "uid": user.id, "role": "supervisor", "password": opts.password,
             "company_id": company, "team_id": team.id, "agents": members}
        )  # fmt: skip
    rows += [
        {"login": u.login, "uid": u.id, "role": "manager", "password": opts.password, "company_id": company}
        for u in managers
    ]
    env.cr.commit()
    return rows


def create_history(env, teams, n, months):
    """N claims closed over the last `months` months whose callbacks are done: one reached phone attempt
    and a rating each (set-based), then the monthly KPIs of those months."""
    create_claims(env, teams, n, "H", hours=months * 30 * 24)
    schedule_all(env)
    cr = env.cr
    cr.execute(
        """WITH done AS (
               UPDATE claim_callback cb
                  SET state = 'done', first_attempt_date = cb.sla_start_date + interval '3 hours',
                      completed_date = cb.sla_start_date + interval '3 hours',
                      satisfaction = 1 + (cb.id * 7) % 5, nps = (cb.id * 3) % 11
                 FROM helpdesk_ticket t
                WHERE t.id = cb.ticket_id AND t.number LIKE 'H-%%' AND cb.state = 'scheduled'
            RETURNING cb.id, cb.user_id, cb.company_id, cb.sla_start_date)
           INSERT INTO claim_callback_attempt (callback_id, company_id, channel, outcome, date, user_id, duration,
                                               create_uid, write_uid, create_date, write_date)
           SELECT id, company_id, 'phone', 'reached', sla_start_date + interval '3 hours', user_id, 240,
                  1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
             FROM done"""
    )
    out("history_callbacks_done", cr.rowcount)
    env["claim.callback"]._store_attempt_summaries()
    env.cr.commit()
    env.invalidate_all()
    today = fields.Date.today().replace(day=1)
    for back in range(months, 0, -1):
        month = (today - timedelta(days=28 * back)).replace(day=1)
        env["claim.callback.kpi"].compute_month(month, env.company)
        env.cr.commit()
    out("kpi_months", months)


def schedule_all(env):
    Callback = env["claim.callback"]
    while True:
        processed, remaining = Callback._schedule_first_callbacks(1000)
        env.cr.commit()
        env.invalidate_all()
        if not processed or not remaining:
            return


def run_crons_every_minute(env):
    for xmlid in ADDON_CRONS:
        env.ref(f"insurance_claim_callback.{xmlid}").write(
            {"interval_number": 1, "interval_type": "minutes", "nextcall": fields.Datetime.now(), "active": True}
        )
    for xmlid in ["sms.ir_cron_sms_scheduler_action", "mail.ir_cron_mail_scheduler_action"]:
        cron = env.ref(xmlid, raise_if_not_found=False)
        if cron:
            cron.active = False


def main():
    p = parser(__doc__)
    p.add_argument("--out")
    p.add_argument("--agents", type=int, default=50)
    p.add_argument("--teams", type=int, default=5)
    p.add_argument("--callbacks", type=int, default=10000)
    p.add_argument("--unassigned", type=int, default=2000)
    p.add_argument("--fallback", type=int, default=300)
    p.add_argument("--backlog", type=int, default=1000)
    p.add_argument("--only-backlog", action="store_true", help="only add --backlog waiting claims to the load teams")
    p.add_argument("--password", help="web mode: every user's password (for /web/login)")
    p.add_argument("--supervisors", type=int, default=20)
    p.add_argument("--managers", type=int, default=5)
    p.add_argument("--history", type=int, default=0, help="web mode: claims done over the last --months months")
    p.add_argument("--months", type=int, default=4)
    with odoo_env(p) as (opts, env):
        if opts.only_backlog:
            teams = env["helpdesk.ticket.team"].search([("name", "=like", "Load team %")])
            prefix = f"W{env['helpdesk.ticket'].search_count([]):07d}"
            create_claims(env, teams, opts.backlog, prefix, hours=1)  # closing them triggers the scheduler
            env.cr.commit()
            out("backlog_claims_added", opts.backlog)
            return
        teams, agents = create_agents(env, opts.agents, opts.teams)
        if opts.password:
            agents = create_web_users(env, teams, agents, opts)
        if opts.history:
            create_history(env, teams, opts.history, opts.months)
        create_claims(env, teams, opts.callbacks, "L")
        schedule_all(env)
        cr = env.cr
        # unassigned team work: every agent of the team sees it (and may race for it)
        cr.execute(
            """UPDATE claim_callback SET user_id = NULL WHERE id IN (
                        SELECT id FROM claim_callback WHERE state = 'scheduled' ORDER BY random() LIMIT %s)""",
            [opts.unassigned],
        )
        # phone exhausted: the fallback cron sends the questionnaire link at its next run
        cr.execute(
            """UPDATE claim_callback SET fallback_date = now() AT TIME ZONE 'UTC' - interval '1 minute'
                      WHERE id IN (SELECT id FROM claim_callback WHERE state = 'scheduled' AND user_id IS NOT NULL
                                   ORDER BY random() LIMIT %s)""",
            [opts.fallback],
        )
        if opts.backlog:
            create_claims(env, teams, opts.backlog, "Q", hours=1)
        run_crons_every_minute(env)
        env.cr.commit()
        cr.execute("SELECT count(*), count(user_id) FROM claim_callback WHERE state IN ('scheduled', 'in_progress')")
        open_, assigned = cr.fetchone()
        out("open_callbacks", open_)
        out("assigned_callbacks", assigned)
        out("unassigned_team_callbacks", open_ - assigned)
        out("claims_waiting_first_callback", opts.backlog)
        out("agents", sum(a.get("role", "agent") == "agent" for a in agents))
        out("teams", len(teams))
        if opts.out:
            with open(opts.out, "w") as f:
                json.dump(agents, f)


if __name__ == "__main__":
    main()
