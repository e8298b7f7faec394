from odoo import fields, models

# Questions of the seeded questionnaire: xml id suffix -> key given to the callback.
CALLBACK_QUESTIONS = {
    "survey_question_satisfaction": "satisfaction",
    "survey_question_nps": "nps",
    "survey_question_problems": "problems",
    "survey_question_suggestions": "suggestions",
    "survey_question_comments": "comments",
}


class SurveyUserInput(models.Model):
    _inherit = "survey.user_input"

    callback_id = fields.Many2one("claim.callback", index="btree_not_null", ondelete="set null", readonly=True)

    _callback_uniq = models.UniqueIndex(
        "(callback_id) WHERE callback_id IS NOT NULL", "A callback has one questionnaire answer."
    )

    def _mark_done(self):
        res = super()._mark_done()
        for answer in self.filtered("callback_id"):
            # the customer answers through a signed link, as the public user
            answer.callback_id.sudo()._register_survey_result(answer)
        return res

    def _get_callback_values(self):
        """{satisfaction, nps, problems, suggestions, comments} read from the answer lines."""
        self.ensure_one()
        values = {}
        for suffix, key in CALLBACK_QUESTIONS.items():
            question = self.env.ref(f"insurance_claim_callback.{suffix}", raise_if_not_found=False)
            line = self.user_input_line_ids.filtered(lambda ln, q=question: ln.question_id == q and not ln.skipped)[:1]
            if not line:
                continue
            if line.answer_type == "scale":
                values[key] = line.value_scale
            elif line.answer_type in ("text_box", "char_box"):
                values[key] = line.value_text_box or line.value_char_box
        return values
