from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .claim_bounds_mixin import POINTS, SEQUENCE

EVENTS = [
    ("survey_completed", "Questionnaire completed"),
    ("feedback_given", "Feedback given"),
    ("suggestion_accepted", "Suggestion accepted"),
]


class ClaimRewardRule(models.Model):
    _name = "claim.reward.rule"
    _inherit = ["claim.bounds.mixin"]
    _description = "Claim Reward Rule"
    _order = "company_id, event, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    event = fields.Selection(EVENTS, required=True, index=True)
    points = fields.Integer(required=True, default=10)
    validity_months = fields.Integer(
        help="Earned points expire this many months after they were earned; 0 = they never expire."
    )
    yearly_cap = fields.Integer(
        string="Yearly Cap per Customer",
        help="Most points one customer earns from this rule in a calendar year; 0 = no cap.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self._default_company_id()
    )
    entry_ids = fields.One2many("claim.reward.entry", "rule_id", string="Entries")

    _points_positive = models.Constraint("CHECK(points > 0)", "A rule grants a positive number of points.")
    _validity_positive = models.Constraint("CHECK(validity_months >= 0)", "The validity cannot be negative.")
    _cap_positive = models.Constraint("CHECK(yearly_cap >= 0)", "The yearly cap cannot be negative.")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
            "points": POINTS,
            "validity_months": (0, 120),
            "yearly_cap": (0, 1_000_000),
        }

    def _default_company_id(self):
        return self.env.company

    # ------------------------------------------------------------------
    # Earning
    # ------------------------------------------------------------------

    @api.model
    def _reward_event(self, event, callbacks):
        """Grant the points of the active rules of `event` to the customers of `callbacks`.

        Idempotent: a (rule, callback) pair earns once, guaranteed by a unique index,
        so a resubmitted questionnaire, a rerun cron or a duplicate webhook is harmless.
        Returns the new earn entries.
        """
        assert event in dict(EVENTS), event
        callbacks = callbacks.filtered("partner_id")
        if not callbacks:
            return self.env["claim.reward.entry"]
        # sudo: earning is a system action, triggered by whoever records the event
        # (agents, the questionnaire); nobody else may create earn entries.
        Rule = self.sudo().with_context(active_test=True)
        Entry = self.env["claim.reward.entry"].sudo()
        rules = Rule.search([("event", "=", event), ("company_id", "in", callbacks.company_id.ids)])
        if not rules:
            return Entry
        done = {
            (rule.id, callback.id)
            for rule, callback in Entry._read_group(
                [("kind", "=", "earn"), ("rule_id", "in", rules.ids), ("callback_id", "in", callbacks.ids)],
                ["rule_id", "callback_id"],
            )
        }
        now = fields.Datetime.now()
        vals_list = []
        earned = self._earned_this_year(rules, callbacks.partner_id, now)
        for callback in callbacks:
            for rule in rules.filtered(lambda r, c=callback: r.company_id == c.company_id):
                if (rule.id, callback.id) in done:
                    continue
                points = rule._capped_points(earned, callback.partner_id)
                if points <= 0:
                    continue
                earned[rule.id, callback.partner_id.id] = earned.get((rule.id, callback.partner_id.id), 0) + points
                vals_list.append(rule._prepare_earn_vals(callback, points, now))
        return Entry._create_earn_entries(vals_list)

    @api.model
    def _earned_this_year(self, rules, partners, now):
        """{(rule id, partner id): points earned this calendar year} for the capped rules."""
        capped = rules.filtered("yearly_cap")
        if not capped:
            return {}
        # serialised per customer like redemptions: two concurrent earns cannot both pass the cap
        self.env["claim.reward.entry"]._lock_balances(partners)
        groups = self.env["claim.reward.entry"].sudo()._read_group(
            [
                ("kind", "=", "earn"),
                ("rule_id", "in", capped.ids),
                ("partner_id", "in", partners.ids),
                ("date", ">=", now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)),
            ],
            ["rule_id", "partner_id"],
            ["points:sum"],
        )
        return {(rule.id, partner.id): points for rule, partner, points in groups}

    def _capped_points(self, earned, partner):
        self.ensure_one()
        if not self.yearly_cap:
            return self.points
        return min(self.points, self.yearly_cap - earned.get((self.id, partner.id), 0))

    def _prepare_earn_vals(self, callback, points, now):
        self.ensure_one()
        return {
            "kind": "earn",
            "partner_id": callback.partner_id.id,
            "company_id": callback.company_id.id,
            "rule_id": self.id,
            "callback_id": callback.id,
            "points": points,
            "date": now,
            "expiry_date": now + relativedelta(months=self.validity_months) if self.validity_months else False,
            "reason": self.name,
        }
