from odoo import api, fields, models
from odoo.exceptions import AccessError

from .claim_callback_channel import CHANNELS


class ClaimCallbackAttempt(models.Model):
    _name = "claim.callback.attempt"
    _inherit = ["claim.protected.mixin", "claim.bounds.mixin"]
    _description = "Callback Contact Attempt"
    _order = "date desc, id desc"
    _check_company_auto = True

    callback_id = fields.Many2one("claim.callback", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one(related="callback_id.company_id", store=True, index=True)
    channel = fields.Selection(CHANNELS, required=True, default="phone")
    outcome = fields.Selection(
        [
            ("reached", "Reached"),
            ("no_answer", "No Answer"),
            ("busy", "Busy"),
            ("wrong_number", "Wrong Number"),
            ("refused", "Refused"),
            ("call_back_later", "Call Back Later"),
            ("message_sent", "Message Sent"),
            ("message_failed", "Message Failed"),
        ],
        required=True,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="Agent", default=lambda self: self.env.user)
    duration = fields.Integer(help="Seconds.")
    cost = fields.Float(digits=(16, 4))
    note = fields.Text()
    outside_window = fields.Boolean(
        readonly=True, help="Made outside the customer's calling window for this channel (local time)."
    )
    not_sent = fields.Boolean(
        readonly=True, help="Not sent: the channel's endpoint did not answer earlier in the same run."
    )
    external_id = fields.Char(
        string="External ID", readonly=True, copy=False,
        help="Id of the call / message in the telephony or messaging system: a duplicate delivery is ignored.",
    )

    _duration_positive = models.Constraint("CHECK(duration >= 0)", "A duration cannot be negative.")
    # Monthly KPIs: cost per company and period, customer reached per callback.
    _kpi_cost_idx = models.Index("(company_id, date) INCLUDE (cost)")
    _kpi_reached_idx = models.Index("(callback_id, date) WHERE outcome = 'reached'")
    _cost_positive = models.Constraint("CHECK(cost >= 0)", "A cost cannot be negative.")
    # A telephony system's call id ("vendor:id") is unique within a company, not across companies.
    _external_id_uniq = models.UniqueIndex(
        "(company_id, external_id) WHERE external_id IS NOT NULL", "This external attempt was already recorded."
    )

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "duration": (0, 86_400),
            "cost": (0, 1_000_000),
        }

    @api.model_create_multi
    def create(self, vals_list):
        # ACLs give users read access only; this says why to whoever tries anyway
        if not self.env.su:
            raise AccessError(self.env._("Attempts are logged through the callback (register_attempt), not created."))
        attempts = super().create(vals_list)
        self.env["claim.callback"]._store_attempt_summaries(attempts.callback_id.ids)
        self.env["claim.callback.reach"]._add_attempts(attempts)  # the best-time learner counts them
        return attempts

    def copy(self, default=None):  # pylint: disable=method-required-super
        raise AccessError(self.env._("An attempt cannot be duplicated: log a new one on the callback."))

    @api.model
    def _protected_fields(self):
        # every field: attempts are logged by the callback's service methods only
        return super()._protected_fields() | set(self._fields)
