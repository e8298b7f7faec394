from odoo import models


class ClaimCallbackAttempt(models.Model):
    _inherit = "claim.callback.attempt"

    # The risk check reads the attempts of the last days of every company (README: Early warning and trends).
    _risk_date_idx = models.Index("(date, channel)")
