from odoo import api, models
from odoo.exceptions import UserError


class BasePartnerMergeAutomaticWizard(models.TransientModel):
    _inherit = "base.partner.merge.automatic.wizard"

    @api.model
    def _update_foreign_keys(self, src_partners, dst_partner):
        # The merge moves every row of the merged contacts to the one kept, in SQL: the reward
        # ledger is append-only, so a contact with entries is never the one merged away.
        # sudo: every company's entries count, whether the user merging sees them or not.
        ledger = (
            self.env["claim.reward.entry"]
            .sudo()
            ._read_group([("partner_id", "in", src_partners.ids)], ["partner_id"], limit=1)
        )
        if ledger:
            [(customer,)] = ledger
            raise UserError(
                self.env._(
                    "%(customer)s has reward points history, which stays with its contact (the ledger is "
                    "append-only): merge the other contacts into %(customer)s instead, or archive the duplicate.",
                    customer=customer.sudo().display_name,
                )
            )
        return super()._update_foreign_keys(src_partners, dst_partner)

    def _update_values(self, src_partners, dst_partner):
        # the merged customer's callback risk is not copied from the others: it is computed again below
        return super()._update_values(src_partners, dst_partner.with_context(callback_risk_merge=True))

    def _merge(self, partner_ids, dst_partner=None, extra_checks=True):
        result = super()._merge(partner_ids, dst_partner=dst_partner, extra_checks=extra_checks)
        self.env["res.partner"]._update_callback_risk(self.env["res.partner"].browse(partner_ids).exists())
        return result
