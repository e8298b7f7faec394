from odoo import models

from .claim_bounds_mixin import PERCENT


class ResCompany(models.Model):
    """The bounds of the quality settings (README: Agent appraisal and quality)."""

    _inherit = "res.company"

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "callback_qa_threshold": PERCENT,
            "callback_qa_sample_share": PERCENT,
        }
