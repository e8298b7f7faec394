"""Scheduling: the first callback of each closed claim, exactly once, to the least-loaded agent."""

from odoo import api, models
from odoo.fields import Domain

from .batch import create_skipping_duplicates, lock_batch
from .claim_callback import BATCH_CONTEXT, OPEN_STATES
from .res_config_settings import callback_param


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    @api.model
    def _cron_schedule_callbacks(self):
        processed, remaining = self._schedule_first_callbacks(callback_param(self.env, "batch_size"))
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)


    @api.model
    def _schedule_first_callbacks(self, limit=500, domain=None):
        """Create the first callback of one batch of closed claims.

        Rows locked by a concurrent run are skipped; claims that a concurrent run
        scheduled after our snapshot are left to our next transaction (they fail
        the lock with a serialization error, or hit the unique index).
        Returns (claims processed, claims remaining).
        """
        Ticket = self.env["helpdesk.ticket"]
        domain = Ticket._get_awaiting_first_callback_domain() & Domain(domain or Domain.TRUE)
        # search_fetch: what the callback values and the SLA rule matching read, in the same query
        candidates = Ticket.search_fetch(
            domain,
            ["is_claim", "partner_id", "company_id", "team_id", "closed_date", "claim_category_id", "claim_amount"],
            limit=limit,
            order="closed_date, id",
        )
        tickets = lock_batch(candidates)
        if tickets:
            self._create_first_callbacks(tickets)
        if len(candidates) < limit:
            return len(tickets), len(candidates) - len(tickets)
        # counted up to one more batch: a batch costs the same whatever the backlog
        return len(tickets), Ticket.search_count(domain, limit=limit)

    @api.model
    def _create_first_callbacks(self, tickets):
        vals_list = self._assign_least_loaded([self._prepare_first_callback_vals(t) for t in tickets])
        return create_skipping_duplicates(self.with_context(**BATCH_CONTEXT), vals_list)

    @api.model
    def _prepare_first_callback_vals(self, ticket):
        # SLA rule and deadlines are filled by create(), for the whole batch at once.
        return {
            "ticket_id": ticket.id,
            "partner_id": ticket.partner_id.id,
            "company_id": ticket.company_id.id,
            "team_id": ticket.team_id.id,
            "sequence": 1,
            "sla_start_date": ticket.closed_date,
        }

    @api.model
    def _assign_least_loaded(self, vals_list):
        """Fill `user_id` in callback values: the least-loaded agent of the team
        with capacity left; none available leaves the callback unassigned."""
        agent_group = self.env.ref("insurance_claim_callback.group_callback_agent")
        teams = self.env["helpdesk.ticket.team"].browse({v["team_id"] for v in vals_list if v.get("team_id")})
        agents_by_company = self.env["res.users"]._read_group(
            [("id", "in", teams.user_ids.ids), ("all_group_ids", "in", agent_group.id)],
            ["company_ids"],
            ["id:recordset"],
        )
        candidates = self.env["res.users"].union(*(users for _company, users in agents_by_company))
        companies = {user.id: set() for user in candidates}
        for company, users in agents_by_company:
            for user in users:
                companies[user.id].add(company.id)
        load = dict.fromkeys(candidates.ids, 0)
        for user, count in self._read_group(
            [("user_id", "in", candidates.ids), ("state", "in", OPEN_STATES)], ["user_id"], ["__count"]
        ):
            load[user.id] = count
        members = {team.id: team.user_ids & candidates for team in teams}
        for vals in vals_list:
            if vals.get("user_id") or not vals.get("team_id"):
                continue
            free = [
                user
                for user in members[vals["team_id"]]
                if load[user.id] < user.callback_capacity and vals["company_id"] in companies[user.id]
            ]
            if free:
                agent = min(free, key=lambda u: (load[u.id], u.id))
                vals["user_id"] = agent.id
                load[agent.id] += 1
        return vals_list
