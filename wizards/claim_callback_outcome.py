from odoo import api, fields, models


class ClaimCallbackOutcome(models.TransientModel):
    _name = "claim.callback.outcome"
    _description = "Record a Callback Outcome"

    callback_id = fields.Many2one("claim.callback", required=True, readonly=True, ondelete="cascade")
    satisfaction = fields.Selection([(str(n), str(n)) for n in range(1, 6)], required=True)
    nps = fields.Selection([(str(n), str(n)) for n in range(11)], string="NPS")
    feedback = fields.Text()
    suggestions = fields.Text()
    issue_ids = fields.One2many("claim.callback.outcome.issue", "wizard_id", string="Problems Raised")
    answer_ids = fields.One2many(
        "claim.callback.outcome.answer", "wizard_id", string="Answers", compute="_compute_answer_ids",
        store=True, readonly=False,
    )

    @api.depends("callback_id")
    def _compute_answer_ids(self):
        for wizard in self:
            questions = wizard.callback_id.script_id.question_ids
            wizard.answer_ids = [fields.Command.clear()] + [
                fields.Command.create({"question_id": q.id}) for q in questions
            ]

    def action_confirm(self):
        self.ensure_one()
        for answer in self.answer_ids:
            answer.question_id._check_answer(answer.value)
        self.callback_id.register_result(
            int(self.satisfaction),
            nps=int(self.nps) if self.nps else None,
            feedback=self.feedback,
            issues=[{"name": i.name, "is_complaint": i.is_complaint} for i in self.issue_ids],
            suggestions=self.suggestions,
            answers="\n".join(f"{a.question_id.name}: {a.value}" for a in self.answer_ids if a.value) or False,
        )
        return {"type": "ir.actions.act_window_close"}

class ClaimCallbackOutcomeIssue(models.TransientModel):
    _name = "claim.callback.outcome.issue"
    _description = "Problem Raised in a Callback"

    wizard_id = fields.Many2one("claim.callback.outcome", required=True, ondelete="cascade")
    name = fields.Char(string="Problem", required=True)
    is_complaint = fields.Boolean(string="Complaint")

class ClaimCallbackOutcomeAnswer(models.TransientModel):
    _name = "claim.callback.outcome.answer"
    _description = "Answer to a Script Question"
    _order = "sequence, id"

    wizard_id = fields.Many2one("claim.callback.outcome", required=True, ondelete="cascade")
    question_id = fields.Many2one("claim.callback.script.question", required=True, readonly=True)
    sequence = fields.Integer(related="question_id.sequence")
    question_type = fields.Selection(related="question_id.question_type")
    value = fields.Char(string="Answer")
