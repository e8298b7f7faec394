from odoo import api, fields, models
from odoo.exceptions import ValidationError

QUESTION_TYPES = [
    ("rating", "Rating 1-5"),
    ("yes_no", "Yes / No"),
    ("choice", "Choice"),
    ("text", "Free Text"),
]


class ClaimCallbackScriptQuestion(models.Model):
    _name = "claim.callback.script.question"
    _description = "Callback Script Question"
    _order = "script_id, sequence, id"

    script_id = fields.Many2one("claim.callback.script", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Question", required=True, translate=True)
    question_type = fields.Selection(QUESTION_TYPES, required=True, default="rating")
    choices = fields.Char(translate=True, help="Choices separated by commas (for choice questions).")

    @api.constrains("question_type", "choices")
    def _check_choices(self):
        for question in self:
            if question.question_type == "choice" and len(question._get_choices()) < 2:
                raise ValidationError(
                    self.env._("Question %(q)s needs at least two choices.", q=question.name)
                )

    def _get_choices(self):
        self.ensure_one()
        return [c.strip() for c in (self.choices or "").split(",") if c.strip()]

    def _check_answer(self, value):
        """Raise ValidationError when `value` is not a valid answer to this question."""
        self.ensure_one()
        value = (value or "").strip()
        if not value:
            return
        valid = {
            "rating": lambda v: v in {"1", "2", "3", "4", "5"},
            "yes_no": lambda v: v in {"yes", "no"},
            "choice": lambda v: v in self._get_choices(),
            "text": lambda v: True,
        }[self.question_type]
        if not valid(value):
            raise ValidationError(
                self.env._("%(value)s is not a valid answer to: %(q)s", value=value, q=self.name)
            )
