"""Personal data: the customer's free text erased past the company's retention period."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from .batch import process_locked_batch
from .claim_callback import OPEN_STATES
from .res_config_settings import callback_param

ERASED_TEXT = "***"  # a questionnaire line must keep a value once answered

class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    feedback_anonymized_date = fields.Datetime(
        string="Feedback Erased On",
        readonly=True,
        copy=False,
        help="The customer's free text was erased at the end of the company's retention period.",
    )

    @api.model
    def _cron_anonymize_feedback(self):
        processed, remaining = self._anonymize_feedback_batch(callback_param(self.env, "batch_size"))
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    @api.model
    def _get_retention_domain(self, now):
        """Closed callbacks past their company's retention period, not erased yet."""
        per_company = []
        for company in self.env["res.company"].sudo().search([("callback_feedback_retention_days", ">", 0)]):
            cutoff = now - timedelta(days=company.callback_feedback_retention_days)
            closed_before = Domain("completed_date", "<", cutoff) | Domain(
                [("completed_date", "=", False), ("write_date", "<", cutoff)]
            )
            per_company.append(Domain("company_id", "=", company.id) & closed_before)
        return Domain([("state", "not in", OPEN_STATES), ("feedback_anonymized_date", "=", False)]) & Domain.OR(
            per_company
        )

    @api.model
    def _anonymize_feedback_batch(self, limit=500):
        domain = self._get_retention_domain(fields.Datetime.now())
        return process_locked_batch(self, domain, limit, lambda batch: batch._anonymize_feedback())

    def _anonymize_feedback(self):
        """Erase the customer's free text; satisfaction, NPS and sentiment stay for the KPIs."""
        self.write(
            {"feedback": False, "suggestions": False, "answers": False, "feedback_anonymized_date": fields.Datetime.now()}
        )
        self.attempt_ids.filtered("note").write({"note": False})
        # sudo: questionnaire lines are survey records; survey requires a value on an answered line
        lines = self.sudo().survey_answer_ids.user_input_line_ids
        lines.filtered(lambda line: line.answer_type == "text_box").write({"value_text_box": ERASED_TEXT})
        lines.filtered(lambda line: line.answer_type == "char_box").write({"value_char_box": ERASED_TEXT})
