"""Customer 360: what the agent knows about the customer before dialling (README: Usage).

Read with the user's own rights, in the callback's company only: a list holds only records its reader may open
(record rules give agents and supervisors read access to the history of the customers they call back,
security/insurance_claim_callback_security.xml). Computed for a batch of callbacks with one search per kind and
company, never per record."""

from collections import defaultdict

from odoo import api, fields, models

from .claim_callback_channel import CHANNELS
from .locale_format import format_moment, format_tz_name

REWARD_ENTRIES_SHOWN = 5  # the customer's last ledger entries on the form


class ClaimCallback(models.Model):
    _name = "claim.callback"
    _inherit = ["claim.callback", "claim.customer.history.mixin"]

    customer_claim_ids = fields.Many2many(
        "helpdesk.ticket", compute="_compute_customer_history", string="Customer's Claims"
    )
    customer_callback_ids = fields.Many2many(
        "claim.callback", compute="_compute_customer_history", string="Earlier Callbacks",
        help="The customer's other callbacks in this company, the latest first.",
    )
    customer_issue_ids = fields.Many2many(
        "helpdesk.ticket", compute="_compute_customer_history", string="Open Issues and Complaints",
        help="The customer's feedback issues and complaints not resolved yet, with their resolution deadlines.",
    )
    customer_reward_entry_ids = fields.Many2many(
        "claim.reward.entry", compute="_compute_customer_rewards", string="Last Reward Entries"
    )
    customer_reward_points = fields.Integer(
        compute="_compute_customer_rewards", string="Points Balance",
        help="The customer's reward points balance in this callback's company.",
    )
    # customer_risk and customer_risk_reason: models/claim_callback_queue.py (the queue shows them too)
    customer_consent = fields.Selection(related="partner_id.callback_consent", string="Consent")
    customer_blocked_channels = fields.Char(
        compute="_compute_customer_profile", string="Blocked Channels",
        help="Channels the customer asked not to be contacted on (Do Not Contact, phone or e-mail blacklist).",
    )
    customer_preferred_channel = fields.Selection(
        CHANNELS, compute="_compute_customer_profile", string="Preferred Channel"
    )
    customer_tz_name = fields.Char(compute="_compute_customer_time", string="Customer Time Zone")
    customer_local_time = fields.Char(compute="_compute_customer_time", string="Customer's Time Now")
    customer_usual_answer_time = fields.Char(
        related="partner_id.callback_usual_answer_time", string="Usually Answers", compute_sudo=False
    )

    @api.depends("partner_id", "company_id")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_customer_history(self):
        Ticket = self.env["helpdesk.ticket"]
        claims, issues, callbacks = defaultdict(lambda: Ticket), defaultdict(lambda: Ticket), defaultdict(self.browse)
        for company, batch in self.grouped("company_id").items():
            if not company or not batch.partner_id:
                continue
            same = [("partner_id", "in", batch.partner_id.ids), ("company_id", "=", company.id)]
            # one query each, the customer fetched with the rows (search_fetch)
            found = (
                (claims, Ticket.search_fetch([*same, ("is_claim", "=", True)], ["partner_id"],
                                             order="closed_date desc, id desc")),
                (issues, Ticket.search_fetch(
                    [*same, ("closed_date", "=", False), "|", ("source_callback_id", "!=", False),
                     ("is_complaint", "=", True)],
                    ["partner_id"], order="sla_resolution_deadline, id",
                )),
                (callbacks, self.search_fetch(same, ["partner_id"], order="sla_start_date desc, id desc")),
            )
            for by_customer, records in found:
                for record in records:
                    by_customer[company, record.partner_id.id] |= record
        for callback in self:
            key = callback.company_id, callback.partner_id.id
            callback.customer_claim_ids = claims[key]
            callback.customer_issue_ids = issues[key]
            callback.customer_callback_ids = callbacks[key] - callback._origin

    @api.depends("partner_id", "company_id")
    @api.depends_context("uid", "allowed_company_ids")
    def _compute_customer_rewards(self):
        Entry = self.env["claim.reward.entry"]
        balances, last = {}, {}
        for company, batch in self.grouped("company_id").items():
            partners = batch.partner_id
            if not company or not partners or not Entry.has_access("read"):
                continue
            # one grouped query: the balance, and the ids of the newest entries (their fields are read when shown)
            groups = Entry._read_group(
                [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
                ["partner_id"], ["points:sum", "id:array_agg"],
            )
            for partner, points, ids in groups:
                balances[company, partner.id] = points
                last[company, partner.id] = Entry.browse(sorted(ids, reverse=True)[:REWARD_ENTRIES_SHOWN])
        for callback in self:
            key = callback.company_id, callback.partner_id.id
            callback.customer_reward_points = balances.get(key, 0)
            callback.customer_reward_entry_ids = last.get(key, Entry).sorted()

    @api.depends("partner_id", "company_id")
    @api.depends_context("lang", "uid")
    def _compute_customer_profile(self):
        labels = dict(self.env["claim.callback.attempt"]._fields["channel"]._description_selection(self.env))
        blocked = self.partner_id._get_callback_blocked_channels()
        for company, batch in self.grouped("company_id").items():
            # the preferred channel is the callback's company's, whichever company the user works in
            partners = batch.partner_id.with_company(company)
            for callback in batch:
                partner = partners.browse(callback.partner_id.id)
                callback.customer_preferred_channel = partner.callback_channel if partner else False
                callback.customer_blocked_channels = ", ".join(
                    label for code, label in labels.items() if code in blocked.get(partner.id, ())
                )

    @api.depends("partner_id.tz", "company_id")
    @api.depends_context("lang")
    def _compute_customer_time(self):
        now = fields.Datetime.now()
        for callback in self:
            tz = callback._get_customer_tz() if callback.partner_id or callback.company_id else False
            callback.customer_tz_name = format_tz_name(self.env, tz) if tz else False
            callback.customer_local_time = format_moment(self.env, now, tz) if tz else False
