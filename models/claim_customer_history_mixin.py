"""Whose customer history a record is (the customer 360's record rules, security/insurance_claim_callback_security.xml)."""

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from .claim_callback import AGENT_GROUP, SUPERVISOR_GROUP

READERS = [
    ("agent", "Agent of one of the customer's callbacks"),
    ("supervisor", "Supervisor of one of the customer's callbacks"),
]
ROLE_GROUPS = {"agent": AGENT_GROUP, "supervisor": SUPERVISOR_GROUP}  # in READERS' order: the closer tie first


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
        # one query: the record rules read this field to check the rows a user reads
        roles = [role for role, group in ROLE_GROUPS.items() if self.env.user.has_group(group)]
        saved = self._origin.filtered("id")
        rows = saved and roles and self.env.execute_query(SQL(
            "SELECT id, %s FROM %s WHERE id IN %s",
            SQL(", ").join(SQL("partner_id IN %s", self._customers_subquery(role)) for role in roles),
            SQL.identifier(self._table), tuple(saved.ids),
        ))
        readers = {row[0]: next((role for role, reads in zip(roles, row[1:], strict=True) if reads), False) for row in rows or ()}
        for record in self:
            record.customer_history_reader = readers.get(record._origin.id, False)

    def _search_customer_history_reader(self, operator, value):
        if operator != "in":
            return NotImplemented
        # One uncorrelated subquery (PostgreSQL hashes it once), not `partner_id.claim_callback_ids any`: inside the
        # rules' OR, that is an EXISTS run for every row (bench/README: SLA Risk, 14,674 probes, 110 ms a list).
        roles = {role for role, _label in READERS} & set(value)
        return Domain.OR(Domain("partner_id", "in", self._customers_subquery(role)) for role in roles)

    @api.model
    def _customers_subquery(self, role):
        """SQL: the customers of the callbacks whose history the user reads as `role`: as an agent, their callbacks
        and those unassigned in their teams; as a supervisor, those of the teams they belong to or lead. Each on an
        index of claim_callback: the teams as literal ids, whose rows PostgreSQL can estimate (an array computed in
        the query was estimated at a third of the table and read every callback)."""
        if role == "agent":
            return SQL(
                """(SELECT partner_id FROM claim_callback WHERE partner_id IS NOT NULL
                       AND (user_id = %(uid)s OR (user_id IS NULL AND team_id = ANY(%(teams)s))))""",
                uid=self.env.uid, teams=self.env.user.helpdesk_team_ids.ids,
            )
        return SQL(
            "(SELECT partner_id FROM claim_callback WHERE partner_id IS NOT NULL AND team_id = ANY(%s))",
            self.env.user.callback_team_ids.ids,
        )
