"""A complaint makes its customer high risk at once (README: Early warning and trends): the customer's risk and
warning follow when a complaint is opened, moved, closed or changes customer, not only at the hourly check."""

from odoo import api, models

COMPLAINT_FIELDS = frozenset({"is_complaint", "stage_id", "partner_id", "company_id"})


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        tickets._sync_complaint_customers(tickets.filtered("is_complaint").partner_id)
        return tickets

    def write(self, vals):
        if not COMPLAINT_FIELDS & set(vals):
            return super().write(vals)
        before = self.filtered("is_complaint").partner_id
        result = super().write(vals)
        self._sync_complaint_customers(before | self.filtered("is_complaint").partner_id)
        return result

    def _sync_complaint_customers(self, partners):
        if partners:
            self.env["claim.risk.warning"]._sync_customer_risks(partners)
