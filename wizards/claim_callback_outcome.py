from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..models.locale_format import bracket


def _spoken(question, customer, env):
    """A question as the agent asks it: in the customer's language, the agent's in brackets when it differs."""
    spoken = question.with_context(lang=customer.lang or env.lang).name
    own = question.with_env(env).name
    return spoken if spoken == own else bracket(env, spoken, own)


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
    @api.depends_context("lang")
    def _compute_satisfaction_question(self):
        for wizard in self:
            question = self._satisfaction_question(wizard.callback_id.script_id.question_ids)
            wizard.satisfaction_question = _spoken(question, wizard.callback_id.partner_id, self.env) if question else ""

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
            label = answer._answer_label()
            if label:
                answers.append(f"{answer.question_id.name}: {label}")
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
                "message": self._confirmation(callback),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _confirmation(self, callback):
        """What the agent's recording started: the complaint and issue tickets, the customer's points."""
        # sudo: the agent raised these tickets and points for the customer; they name them, nothing more
        tickets = callback.sudo().feedback_ticket_ids
        complaints = tickets.filtered("is_complaint")
        parts = [self.env._("Outcome recorded: %(callback)s is done.", callback=callback.display_name)]
        if complaints:
            parts.append(self.env._(
                "Complaint ticket %(tickets)s created for %(team)s.",
                tickets=", ".join(complaints.mapped("number")), team=", ".join(complaints.team_id.mapped("name")),
            ))
        if tickets - complaints:
            parts.append(self.env._(
                "Feedback issue %(tickets)s created.", tickets=", ".join((tickets - complaints).mapped("number"))
            ))
        points = sum(self.env["claim.reward.entry"].sudo().search(
            [("callback_id", "=", callback.id), ("kind", "=", "earn")]
        ).mapped("points"))
        if points:
            parts.append(self.env._(
                "%(customer)s earned %(points)s points.", customer=callback.partner_id.name, points=points
            ))
        return " ".join(parts)


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
    question_text = fields.Char(string="Question", compute="_compute_question_text")
    choice_id = fields.Many2one("claim.callback.script.choice", domain="[('question_id', '=', question_id)]")
    # Yes / No in one click: a boolean cell of an editable list toggles on the first click.
    answer_yes = fields.Boolean(string="Yes")
    answer_no = fields.Boolean(string="No")
    value = fields.Char(string="Answer")

    @api.depends("question_id", "wizard_id.callback_id.partner_id.lang")
    @api.depends_context("lang")
    def _compute_question_text(self):
        for answer in self:
            question = answer.question_id
            answer.question_text = _spoken(question, answer.wizard_id.callback_id.partner_id, self.env) if question else ""

    def _answer_value(self):
        """The stored answer: yes / no, the fixed choice's value, or the typed text checked against the question."""
        self.ensure_one()
        if self.question_type == "yes_no" and (self.answer_yes or self.answer_no):
            if self.answer_yes and self.answer_no:
                raise ValidationError(
                    self.env._("Answer either Yes or No to: %(q)s", q=self.question_id.name)
                )
            return "yes" if self.answer_yes else "no"
        if self.choice_id:
            return self.choice_id._value()
        return self.question_id._normalize_answer(self.value)

    def _answer_label(self):
        """The answer as people read it ("No", "否", the choice's label), not its stored key ("no")."""
        value = self._answer_value()
        return dict(self.question_id._fixed_answers()).get(value, value)
