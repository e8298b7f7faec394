from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .claim_bounds_mixin import SEQUENCE

QUESTION_TYPES = [
    ("rating", "Rating 1-5"),
    ("yes_no", "Yes / No"),
    ("choice", "Choice"),
    ("text", "Free Text"),
]
# Spoken answers accepted for yes / no questions, whatever the case (English, Chinese).
YES_WORDS = {"yes", "y", "true", "是", "是的", "對", "对", "有"}
NO_WORDS = {"no", "n", "false", "否", "不是", "不", "沒有", "没有"}


class ClaimCallbackScriptQuestion(models.Model):
    _name = "claim.callback.script.question"
    _inherit = ["claim.bounds.mixin"]
    _description = "Callback Script Question"
    _order = "script_id, sequence, id"

    script_id = fields.Many2one("claim.callback.script", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True, translate=True)
    question_type = fields.Selection(QUESTION_TYPES, required=True, default="rating")
    choices = fields.Char(translate=True, help="Choices separated by commas (for choice questions).")
    choice_ids = fields.One2many("claim.callback.script.choice", "question_id", string="Answer Choices")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
        }

    @api.constrains("question_type", "choices")
    def _check_choices(self):
        for question in self:
            if question.question_type == "choice" and len(question._get_choices()) < 2:
                raise ValidationError(
                    self.env._("Question %(q)s needs at least two choices.", q=question.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        questions = super().create(vals_list)
        questions.script_id._check_not_in_experiment()
        questions._sync_choice_ids()
        return questions

    def write(self, vals):
        self.script_id._check_not_in_experiment()
        result = super().write(vals)
        if {"question_type", "choices"} & set(vals):
            self._sync_choice_ids()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_not_in_experiment(self):
        self.script_id._check_not_in_experiment()

    def _get_choices(self):
        self.ensure_one()
        return [c.strip() for c in (self.choices or "").split(",") if c.strip()]

    def _fixed_answers(self):
        """[(value, label)] of a question with fixed answers, labels in the current language;
        values as stored in the callback's answers ("yes", the choice in the source language)."""
        self.ensure_one()
        if self.question_type == "yes_no":
            return [("yes", self.env._("Yes")), ("no", self.env._("No"))]
        if self.question_type == "rating":
            return [(str(n), str(n)) for n in range(1, 6)]
        if self.question_type == "choice":
            source = self.with_context(lang="en_US")._get_choices()
            labels = self._get_choices()
            return [(value, labels[i] if i < len(labels) else value) for i, value in enumerate(source)]
        return []

    def _render_for_call(self, hint=None):
        """The question as an item of the script, in this environment's language with its answers
        ("是 / 否"), and `hint` (the same question in the agent's language) below it."""
        self.ensure_one()
        answers = " / ".join(label for _value, label in self._fixed_answers())
        item = Markup("<li><b>%s</b>") % self.name
        if answers:
            item += Markup(' <span class="text-muted">(%s)</span>') % answers
        if hint:
            item += Markup('<div class="text-muted small fst-italic">%s</div>') % hint.name
        return item + Markup("</li>")

    def _sync_choice_ids(self):
        """One choice record per fixed answer, so the outcome wizard offers them in a list."""
        Choice = self.env["claim.callback.script.choice"].sudo()
        for question in self:
            count = len(question._fixed_answers())
            existing = question.sudo().choice_ids
            missing = [{"question_id": question.id, "index": i} for i in range(len(existing), count)]
            Choice.create(missing)
            existing.filtered(lambda c, n=count: c.index >= n).unlink()

    def _normalize_answer(self, value):
        """The stored form of `value`, or raise ValidationError when it is no valid answer.
        Yes / no and choices are accepted in any case and in the user's language."""
        self.ensure_one()
        value = (value or "").strip()
        if not value or self.question_type == "text":
            return value
        folded = value.casefold()
        if self.question_type == "yes_no":
            if folded in YES_WORDS or folded == self.env._("Yes").casefold():
                return "yes"
            if folded in NO_WORDS or folded == self.env._("No").casefold():
                return "no"
        else:
            for stored, label in self._fixed_answers():
                if folded in (stored.casefold(), label.casefold()):
                    return stored
        raise ValidationError(self.env._("%(value)s is not a valid answer to: %(q)s", value=value, q=self.name))

    def _check_answer(self, value):
        """Raise ValidationError when `value` is not a valid answer to this question."""
        self._normalize_answer(value)


class ClaimCallbackScriptChoice(models.Model):
    """A fixed answer of a script question (yes / no, a rating, a choice), shown in the user's language."""

    _name = "claim.callback.script.choice"
    _inherit = ["claim.bounds.mixin"]
    _description = "Callback Script Answer Choice"
    _order = "question_id, index"

    question_id = fields.Many2one(
        "claim.callback.script.question", required=True, index=True, ondelete="cascade"
    )
    index = fields.Integer(string="Position", required=True)

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "index": (0, 1_000),
        }

    @api.depends("question_id.choices", "question_id.question_type", "index")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for choice in self:
            answers = choice.question_id._fixed_answers() if choice.question_id else []
            choice.display_name = answers[choice.index][1] if choice.index < len(answers) else ""

    def _value(self):
        self.ensure_one()
        answers = self.question_id._fixed_answers()
        return answers[self.index][0] if self.index < len(answers) else ""
