"""The agent's My Queue list (80 rows) against a standard 80-row list of Odoo (Contacts), as the
web client reads them: web_search_read with the view's fields, as the agent, warm caches.

Usage: bash bench/run_bench_queue_list.sh [--rounds 40]
Prints `name: value` lines; target: the queue within 2x the contacts list (p95).
"""

import statistics
import time

from benchlib import odoo_env, out, parser
from lxml import etree

SMOKE_ARGS = ["--rounds", "2"]  # bench/smoke.py (tools/test)


def view_spec(model, view_id=None):
    """The specification the web client sends for a list view: each column, many2ones with their name."""
    views = model.get_views([(view_id, "list")])
    arch, fields = views["views"]["list"]["arch"], views["models"][model._name]["fields"]
    spec = {}
    for node in etree.fromstring(arch).iterfind(".//field"):
        name = node.get("name")
        kind = fields[name]["type"]
        spec[name] = {"fields": {"display_name": {}}} if kind in ("many2one", "many2many") else {}
    return spec


def main():
    arg_parser = parser(__doc__)
    arg_parser.add_argument("--rounds", type=int, default=40)
    with odoo_env(arg_parser) as (opts, env):
        from odoo import Command  # noqa: PLC0415 (Odoo is imported by odoo_env)

        agent = env["res.users"].create(
            {
                "name": "Queue bench agent",
                "login": f"queue_bench_{time.time_ns()}",
                "group_ids": [
                    Command.link(env.ref("insurance_claim_callback.group_callback_agent").id),
                    Command.link(env.ref("base.group_partner_manager").id),
                ],
            }
        )
        team = env["helpdesk.ticket.team"].create({"name": "Queue bench team", "user_ids": [Command.link(agent.id)]})
        stage = env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        partners = env["res.partner"].create(
            [
                {
                    "name": f"Queue customer {i}",
                    "phone": f"+886 2 2{i:07d}",
                    "email": f"q{i}@example.com",
                    "city": "Taipei",
                    "tz": "Asia/Taipei",
                }
                for i in range(80)
            ]
        )
        stamp = time.time_ns()
        tickets = env["helpdesk.ticket"].create(
            [
                {
                    "name": f"Queue claim {i}",
                    "description": "x",
                    "is_claim": True,
                    "claim_number": f"Q-{stamp}-{i}",
                    "partner_id": p.id,
                    "team_id": team.id,
                    "stage_id": stage.id,
                    "claim_amount": 10,
                    "paid_amount": 10,
                }
                for i, p in enumerate(partners)
            ]
        )
        env["claim.callback"]._schedule_first_callbacks(500, [("id", "in", tickets.ids)])
        tickets.callback_ids.write({"user_id": agent.id})
        env.cr.commit()

        Callback = env["claim.callback"].with_user(agent).with_context(bin_size=True)
        queue_view = env.ref("insurance_claim_callback.claim_callback_view_list_queue").id
        queue_spec = view_spec(Callback, queue_view)
        queue_domain = [("user_id", "=", agent.id), ("state", "in", ("scheduled", "in_progress"))]
        Partner = env["res.partner"].with_user(agent).with_context(bin_size=True)
        partner_spec = view_spec(Partner, env.ref("base.view_partner_tree").id)
        partner_domain = [("id", "in", partners.ids)]

        def queue():
            return Callback.web_search_read(queue_domain, queue_spec, limit=80)

        def contacts():
            return Partner.web_search_read(partner_domain, partner_spec, limit=80)

        assert len(queue()["records"]) == 80 and len(contacts()["records"]) == 80
        times = {"queue": [], "contacts": []}
        for _round in range(opts.rounds):  # alternating, warm: the cache is cleared, PostgreSQL's is not
            for name, read in (("contacts", contacts), ("queue", queue)):
                env.invalidate_all()
                t0 = time.perf_counter()
                read()
                times[name].append(time.perf_counter() - t0)
        env.cr.rollback()

    def p95(values):
        return statistics.quantiles(values, n=20)[-1]

    out("baseline_contacts_list_80_rows_p50_ms", 1000 * statistics.median(times["contacts"]))
    out("baseline_contacts_list_80_rows_p95_ms", 1000 * p95(times["contacts"]))
    out("queue_list_80_rows_p50_ms", 1000 * statistics.median(times["queue"]))
    out("queue_list_80_rows_p95_ms", 1000 * p95(times["queue"]))
    out("queue_to_contacts_p95_ratio", p95(times["queue"]) / p95(times["contacts"]))
    out("target_within_2x", "PASS" if p95(times["queue"]) <= 2 * p95(times["contacts"]) else "FAIL")


if __name__ == "__main__":
    main()
