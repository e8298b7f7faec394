from odoo import fields, models

from .claim_bounds_mixin import COLOR, SEQUENCE


class ClaimCategory(models.Model):
    _name = "claim.category"
    _inherit = ["claim.bounds.mixin"]
    _description = "Claim Category"
    _order = "sequence, name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    color = fields.Integer()
    company_id = fields.Many2one("res.company", help="Leave empty to share across companies.")

    _code_uniq = models.Constraint("UNIQUE(code)", "A claim category code must be unique.")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
            "color": COLOR,
        }
