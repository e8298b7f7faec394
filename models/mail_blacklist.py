from odoo import api, models


class MailBlacklist(models.Model):
    _inherit = "mail.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        self.env["res.partner"]._recompute_callback_opt_out(emails=records.mapped("email"))
        return records

    def write(self, vals):
        # an address that changes frees the partners of the old one
        before = self.mapped("email") if "email" in vals else []
        res = super().write(vals)
        if "active" in vals or "email" in vals:
            self.env["res.partner"]._recompute_callback_opt_out(emails=before + self.mapped("email"))
        return res

    def unlink(self):
        emails = self.mapped("email")
        res = super().unlink()
        self.env["res.partner"]._recompute_callback_opt_out(emails=emails)
        return res
