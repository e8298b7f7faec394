from odoo import api, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    """The quality sample's bounds (README: Agent appraisal and quality)."""

    _inherit = "res.company"

    @api.constrains("callback_qa_sample_share")
    def _check_callback_qa_sample_share(self):
        for company in self:
            if not 0 <= company.callback_qa_sample_share <= 100:
                raise ValidationError(self.env._("The quality sample is a share between 0 and 100 %."))
