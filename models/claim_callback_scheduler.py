"""Scheduling: the first callback of each closed claim, exactly once, to the least-loaded agent."""

from collections import defaultdict

from odoo import api, models
from odoo.fields import Domain

from .batch import create_skipping_duplicates, process_locked_batch
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
        # read with the batch: what the callback values and the SLA rule matching need
        fetch = ["is_claim", "partner_id", "company_id", "team_id", "closed_date", "claim_category_id", "claim_amount"]
        return process_locked_batch(
            Ticket, domain, limit, self._create_first_callbacks, order="closed_date, id", fetch=fetch
        )

    @api.model
    def _create_first_callbacks(self, tickets):
        vals_list = self._assign_least_loaded([self._prepare_first_callback_vals(t) for t in tickets])
        # the scheduler is the system: it creates callbacks whatever user runs the cron
        Callback = self.sudo().with_context(**BATCH_CONTEXT, claim_callback_scheduled_batch=True)
        return create_skipping_duplicates(Callback, vals_list).with_env(self.env)

    def _check_company(self, fnames=None):
        # The scheduler's own batches (as superuser only: a context key alone is the caller's to set):
        # company and team come from the claim, the agent from the team's members of that company,
        # so the per-record check (a quarter of a batch's time) has nothing to find.
        if self.env.su and self.env.context.get("claim_callback_scheduled_batch"):
            return
        super()._check_company(fnames)

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
        team_ids = {vals["team_id"] for vals in vals_list if vals.get("team_id") and not vals.get("user_id")}
        if not team_ids:
            return vals_list
        # One query: the agents of these teams, by team and company, with their capacity.
        agent_group_id = self.env["ir.model.data"]._xmlid_to_res_id("insurance_claim_callback.group_callback_agent")
        groups = self.env["res.users"]._read_group(
            [("helpdesk_team_ids", "in", list(team_ids)), ("all_group_ids", "in", agent_group_id)],
            ["helpdesk_team_ids", "company_ids"],
            ["id:array_agg", "callback_capacity:array_agg"],
        )
        members, companies, capacity = defaultdict(set), defaultdict(set), {}
        for team, company, user_ids, capacities in groups:
            for user_id, user_capacity in zip(user_ids, capacities, strict=True):
                members[team.id].add(user_id)
                companies[user_id].add(company.id)
                capacity[user_id] = user_capacity
        load = dict.fromkeys(capacity, 0)
        for user, count in self._read_group(
            [("user_id", "in", list(capacity)), ("state", "in", OPEN_STATES)], ["user_id"], ["__count"]
        ):
            load[user.id] = count
        for vals in vals_list:
            if vals.get("user_id") or not vals.get("team_id"):
                continue
            free = [
                user_id
                for user_id in members[vals["team_id"]]
                if load[user_id] < capacity[user_id] and vals["company_id"] in companies[user_id]
            ]
            if free:
                agent_id = min(free, key=lambda u: (load[u], u))
                vals["user_id"] = agent_id
                load[agent_id] += 1
        return vals_list
