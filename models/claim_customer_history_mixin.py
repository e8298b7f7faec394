"""Whose customer history a record is (the customer 360's record rules, security/insurance_claim_callback_security.xml)."""

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

READERS = [
    ("agent", "Agent of one of the customer's callbacks"),
    ("supervisor", "Supervisor of one of the customer's callbacks"),
]


class ClaimCustomerHistoryMixin(models.AbstractModel):
    _name = "claim.customer.history.mixin"
    _description = "Customer History Readers"

    customer_history_reader = fields.Selection(
        READERS,
        string="Customer You Call Back As",
        compute="_compute_customer_history_reader",
        search="_search_customer_history_reader",
        help="Agents read the history of the customers of the callbacks they may work (theirs, unassigned in their "
        "teams), supervisors of their teams' callbacks.",
    )

    @api.depends_context("uid")
    def _compute_customer_history_reader(self):
        # one query for both roles: the record rules read this field to check the rows a user reads
        saved = self._origin.filtered("id")
        rows = saved and self.env.execute_query(SQL(
            "SELECT id, partner_id IN %s, partner_id IN %s FROM %s WHERE id IN %s",
            self._customers_subquery("agent"), self._customers_subquery("supervisor"), SQL.identifier(self._table),
            tuple(saved.ids),
        ))
        readers = {row_id: "agent" if agent else "supervisor" if supervisor else False
                   for row_id, agent, supervisor in rows or ()}
        for record in self:
            record.customer_history_reader = readers.get(record._origin.id, False)

    @api.model
    def _customer_callbacks_domain(self, role):
        """The callbacks whose customers' history the user reads as `role`."""
        teams = self.env.user.helpdesk_team_ids.ids
        if role == "agent":
            return Domain("user_id", "=", self.env.uid) | (Domain("user_id", "=", False) & Domain("team_id", "in", teams))
        return Domain("team_id", "in", teams) | Domain("team_id.user_id", "=", self.env.uid)

    def _search_customer_history_reader(self, operator, value):
        if operator != "in":
            return NotImplemented
        # One uncorrelated subquery (PostgreSQL hashes it once), not `partner_id.claim_callback_ids any`: inside the
        # rules' OR, that is an EXISTS run for every row (bench/README: SLA Risk, 14,674 probes, 110 ms a list).
        roles = {role for role, _label in READERS} & set(value)
        return Domain.OR(Domain("partner_id", "in", self._customers_subquery(role)) for role in roles)

    @api.model
    def _customers_subquery(self, role):
        """SQL: the customers of the callbacks whose history the user reads as `role`."""
        # sudo: which callbacks, not whether the user may read them (this is the record rule)
        Callback = self.env["claim.callback"].sudo().with_context(active_test=False)
        query = Callback._search(self._customer_callbacks_domain(role) & Domain("partner_id", "!=", False))
        return query.subselect(SQL.identifier(query.table, "partner_id"))
