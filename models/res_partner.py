from odoo import api, fields, models

from .claim_callback_channel import CHANNELS

# The channels a partner's phone number / e-mail address reach.
PHONE_CHANNELS = ("phone", "sms")
ADDRESS_CHANNELS = ("phone", "sms", "email")


class ResPartner(models.Model):
    _inherit = "res.partner"

    reward_points = fields.Integer(
        compute="_compute_reward_points",
        groups="insurance_claim_callback.group_callback_agent",
        help="Reward points balance in the current company.",
    )

    # The record rules of agents and supervisors follow it to the customers they call back.
    claim_callback_ids = fields.One2many(
        "claim.callback", "partner_id", string="Callbacks", groups="insurance_claim_callback.group_callback_agent"
    )
    claim_callback_count = fields.Integer(
        compute="_compute_claim_callback_count", string="Callback Count",
        groups="insurance_claim_callback.group_callback_agent",
    )
    # Per company: each insurer records how the customer wants to hear from it.
    callback_channel = fields.Selection(
        CHANNELS, company_dependent=True, string="Preferred Channel", groups="base.group_user",
        help="How the customer prefers to be contacted for a claim callback.",
    )

    @api.depends_context("company", "uid")
    def _compute_claim_callback_count(self):
        counts = dict(
            self.env["claim.callback"]._read_group(
                [("partner_id", "in", self._origin.ids), ("company_id", "=", self.env.company.id)],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.claim_callback_count = counts.get(partner._origin, 0)

    @api.depends_context("company")
    def _compute_reward_points(self):
        balances = self.env["claim.reward.entry"]._balances(self, self.env.company)
        for partner in self:
            partner.reward_points = balances.get(partner._origin, 0)

    def reward_redeem(self, points, reason=None):
        """Spend `points` of the customer's balance in the current company; return the entry."""
        return self.env["claim.reward.entry"]._redeem(self, points, reason=reason)

    def action_view_reward_entries(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("insurance_claim_callback.claim_reward_entry_action")
        action["domain"] = [("partner_id", "=", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_groupby_kind": 0}
        return action

    def action_view_claim_callbacks(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("insurance_claim_callback.claim_callback_action")
        action["domain"] = [("partner_id", "=", self.id), ("company_id", "=", self.env.company.id)]
        action["context"] = {"create": False}
        return action

    def action_reward_adjust(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust Points"),
            "res_model": "claim.reward.adjust",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
    callback_consent = fields.Selection(
        [("granted", "May Be Contacted"), ("refused", "Do Not Contact")],
        default="granted",
        required=True,
        tracking=True,
        help="Do Not Contact: never called back, on any channel, after a claim.",
    )
    callback_opted_out = fields.Boolean(
        compute="_compute_callback_opted_out",
        store=True,
        help="Refused callbacks, or blacklisted both for phone / SMS and for e-mail.",
    )

    @api.depends("callback_consent", "phone_sanitized", "email_normalized")
    def _compute_callback_opted_out(self):
        blocked = self._get_callback_blocked_channels()
        for partner in self:
            partner.callback_opted_out = set(ADDRESS_CHANNELS) <= blocked[partner.id]

    def _get_callback_blocked_channels(self):
        """{partner id: set of channels the partner asked not to be contacted on}."""
        # sudo: agents need not read the blacklists to know a customer is on them
        phones = set(
            self.env["phone.blacklist"].sudo().search([("number", "in", [p for p in self.mapped("phone_sanitized") if p])]).mapped("number")
        )
        emails = set(
            self.env["mail.blacklist"].sudo().search([("email", "in", [e for e in self.mapped("email_normalized") if e])]).mapped("email")
        )
        result = {}
        for partner in self:
            if partner.callback_consent == "refused":
                result[partner.id] = {"phone", "sms", "email", "wechat", "app"}
                continue
            blocked = set()
            if partner.phone_sanitized and partner.phone_sanitized in phones:
                blocked.update(PHONE_CHANNELS)
            if partner.email_normalized and partner.email_normalized in emails:
                blocked.add("email")
            result[partner.id] = blocked
        return result

    def _get_callback_missing_channels(self):
        """{partner id: channels without an address (no usable number / e-mail)}."""
        return {
            partner.id: ({*PHONE_CHANNELS} if not partner.phone_sanitized else set())
            | ({"email"} if not partner.email_normalized else set())
            for partner in self
        }

    @api.model
    def _recompute_callback_opt_out(self, numbers=(), emails=()):
        """A blacklist changed: recompute the opt-out of the partners it names."""
        numbers, emails = [n for n in numbers if n], [e for e in emails if e]
        if not numbers and not emails:
            return
        partners = self.with_context(active_test=False).search(
            ["|", ("phone_sanitized", "in", numbers), ("email_normalized", "in", emails)]
        )
        if partners:
            self.env.add_to_compute(self._fields["callback_opted_out"], partners)
            partners.modified(["callback_opted_out"])
