from odoo import api, models


class PhoneBlacklist(models.Model):
    _inherit = "phone.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["res.partner"]._recompute_callback_opt_out(numbers=records.mapped("number"))
        return records

    def write(self, vals):
        # a number that changes frees the partners of the old one
        before = self.mapped("number") if "number" in vals else []
        res = super().write(vals)
        if "active" in vals or "number" in vals:
            self.env["res.partner"]._recompute_callback_opt_out(numbers=before + self.mapped("number"))
        return res

    def unlink(self):
        numbers = self.mapped("number")
        res = super().unlink()
        self.env["res.partner"]._recompute_callback_opt_out(numbers=numbers)
        return res
