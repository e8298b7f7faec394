from odoo import models


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    def _update_values(self, src_partners, dst_partner):
        # the merged customer's callback risk is not copied from the others: it is computed again below
        return super()._update_values(src_partners, dst_partner.with_context(callback_risk_merge=True))

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        self.env["res.partner"]._update_callback_risk(self.env["res.partner"].browse(partner_ids).exists())
        return result
