"""Topics of a callback's feedback, and the customer's risk, set when its result is registered."""

from odoo import Command, api, fields, models

from .claim_callback import SUPERVISOR_GROUP


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    topic_ids = fields.Many2many(
        "claim.feedback.topic",
        "claim_callback_topic_rel",
        "callback_id",
        "topic_id",
        string="Topics",
        copy=False,
        check_company=True,
        tracking=True,  # a supervisor's correction shows in the chatter (the first classification does not)
        help="What the customer's feedback and problems speak of: set when the result is registered, "
        "corrected by supervisors.",
    )

    can_edit_topics = fields.Boolean(compute="_compute_can_edit_topics")

    # The risk check counts the callbacks completed in the last weeks of every company.
    _risk_done_idx = models.Index("(completed_date) WHERE state = 'done'")

    @api.depends_context("uid")
    def _compute_can_edit_topics(self):
        self.can_edit_topics = self.env.user.has_group(SUPERVISOR_GROUP)

    def register_result(self, satisfaction, nps=None, feedback=None, issues=None, suggestions=None, answers=None):
        result = super().register_result(satisfaction, nps, feedback, issues, suggestions, answers)
        problems = [issue["name"] if isinstance(issue, dict) else issue for issue in issues or []]
        topics = self.env["claim.feedback.topic"]._classify([feedback or "", *problems], self.company_id)
        # sudo: the topics are the system's reading of the text, whoever recorded it (agents may not set them)
        self.sudo().with_context(tracking_disable=True).write({"topic_ids": [Command.set(topics.ids)]})
        self.env["claim.risk.warning"]._sync_customer_risks(self.partner_id)
        return result
