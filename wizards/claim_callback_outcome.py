from odoo import api, fields, models


class ClaimCallbackOutcome(models.TransientModel):
    _name = "claim.callback.outcome"
    _inherit = ["claim.wizard.access.mixin"]
    _description = "Record a Callback Outcome"

    callback_id = fields.Many2one("claim.callback", required=True, readonly=True, ondelete="cascade")
    satisfaction = fields.Selection(
        [(str(n), str(n)) for n in range(1, 6)],
        required=True,
        help="1 = very dissatisfied, 5 = very satisfied. It answers the script's rating question.",
    )
    satisfaction_question = fields.Char(compute="_compute_satisfaction_question", string="Rating Question")
    nps = fields.Selection(
        [(str(n), str(n)) for n in range(11)],
        string="NPS",
        help="How likely is it that you would recommend us to a friend or colleague? "
        "0 = not at all likely, 10 = extremely likely. Leave empty if the customer did not say.",
    )
    feedback = fields.Text(
        string="Customer's Comments",
        help="What the customer said about the handling of the claim, in their words. Its sentiment is measured; "
        "it creates no follow-up.",
    )
    suggestions = fields.Text(
        string="Suggestions for Us",
        help="Ideas the customer offers to improve the service; a supervisor may accept them.",
    )
    issue_ids = fields.One2many(
        "claim.callback.outcome.issue",
        "wizard_id",
        string="Problems to Follow Up",
        help="Each line becomes a feedback issue (a helpdesk ticket to resolve within 48 h) and asks for another callback.",
    )
    answer_ids = fields.One2many(
        "claim.callback.outcome.answer", "wizard_id", string="Script Answers", compute="_compute_answer_ids",
        store=True, readonly=False,
    )

    @api.depends("callback_id")
    def _compute_satisfaction_question(self):
        for wizard in self:
            wizard.satisfaction_question = self._satisfaction_question(wizard.callback_id.script_id.question_ids).name

    @api.depends("callback_id")
    def _compute_answer_ids(self):
        for wizard in self:
            questions = wizard.callback_id.script_id.question_ids
            rating = wizard._satisfaction_question(questions)
            others = questions - rating
            others.filtered(lambda q: q.question_type != "text" and not q.choice_ids)._sync_choice_ids()
            wizard.answer_ids = [fields.Command.clear()] + [
                fields.Command.create({"question_id": q.id}) for q in others
            ]

    @api.model
    def _satisfaction_question(self, questions):
        """The script's first rating question: its answer is the satisfaction score."""
        return questions.filtered(lambda q: q.question_type == "rating")[:1]

    def action_confirm(self):
        self.ensure_one()
        callback = self.callback_id
        answers = []
        rating = self._satisfaction_question(callback.script_id.question_ids)
        if rating:
            answers.append(f"{rating.name}: {self.satisfaction}")
        for answer in self.answer_ids:
            value = answer._answer_value()
            if value:
                answers.append(f"{answer.question_id.name}: {value}")
        if not callback.attempt_ids.filtered(lambda a: a.outcome == "reached"):
            # The customer answered, so they were reached: coverage and cost count this call.
            callback.register_attempt("phone", "reached")
        callback.register_result(
            int(self.satisfaction),
            nps=int(self.nps) if self.nps else None,
            feedback=self.feedback,
            issues=[{"name": i.name, "is_complaint": i.is_complaint} for i in self.issue_ids],
            suggestions=self.suggestions,
            answers="\n".join(answers) or False,
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("Outcome recorded: %(callback)s is done.", callback=callback.display_name),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }


class ClaimCallbackOutcomeIssue(models.TransientModel):
    _name = "claim.callback.outcome.issue"
    _inherit = ["claim.wizard.access.mixin"]
    _description = "Problem Raised in a Callback"

    wizard_id = fields.Many2one("claim.callback.outcome", required=True, ondelete="cascade")
    name = fields.Char(string="Problem to Resolve", required=True)
    is_complaint = fields.Boolean(string="Complaint", help="A formal complaint: it goes to the complaints team.")


class ClaimCallbackOutcomeAnswer(models.TransientModel):
    _name = "claim.callback.outcome.answer"
    _inherit = ["claim.wizard.access.mixin"]
    _description = "Answer to a Script Question"
    _order = "sequence, id"

    wizard_id = fields.Many2one("claim.callback.outcome", required=True, ondelete="cascade")
    question_id = fields.Many2one(
        "claim.callback.script.question", string="Script Question", required=True, readonly=True
    )
    sequence = fields.Integer(related="question_id.sequence")
    question_type = fields.Selection(related="question_id.question_type")
    choice_id = fields.Many2one("claim.callback.script.choice", domain="[('question_id', '=', question_id)]")
    value = fields.Char(string="Answer")

    def _answer_value(self):
        """The stored answer: the fixed choice's value, or the typed text checked against the question."""
        self.ensure_one()
        if self.choice_id:
            return self.choice_id._value()
        return self.question_id._normalize_answer(self.value)
