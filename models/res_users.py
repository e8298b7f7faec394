from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResUsers(models.Model):
    _name = "res.users"
    _inherit = ["claim.bounds.mixin", "res.users"]

    callback_capacity = fields.Integer(
        default=40,
        help="How many open callbacks the scheduler may assign to this agent at once. "
        "0 stops new assignments (for example during a leave).",
    )

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "callback_capacity": (0, 1_000_000),
        }

    @api.constrains("callback_capacity")
    def _check_callback_capacity(self):
        if any(user.callback_capacity < 0 for user in self):
            raise ValidationError(self.env._("A callback capacity cannot be negative."))
