from odoo import models


class SurveyQuestion(models.Model):
    """The public questionnaire answers what it cannot store with an error next to the question,
    not a server error: a scale answer that is not a whole number within the scale, a NUL character."""

    _inherit = "survey.question"

    def validate_question(self, answer, comment=None):
        texts = [text for text in (answer, comment) if isinstance(text, str)]
        if any("\x00" in text for text in texts):
            return {self.id: self.env._("Please remove the invisible control characters from your answer.")}
        if self.question_type == "scale" and answer not in (None, False, ""):
            try:
                value = int(str(answer).strip())
            except ValueError:
                value = None
            if value is None or not self.scale_min <= value <= self.scale_max:
                return {self.id: self.env._("Please choose a value of the scale.")}
        return super().validate_question(answer, comment)
