from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .claim_callback_protection import MAX_TEXT

# Questions of the seeded questionnaire: xml id suffix -> key given to the callback.
CALLBACK_QUESTIONS = {
    "survey_question_satisfaction": "satisfaction",
    "survey_question_nps": "nps",
    "survey_question_problems": "problems",
    "survey_question_suggestions": "suggestions",
    "survey_question_comments": "comments",
}


class SurveyUserInput(models.Model):
    _name = "survey.user_input"
    _inherit = ["survey.user_input", "claim.protected.mixin"]

    callback_id = fields.Many2one(
        "claim.callback", index="btree_not_null", ondelete="set null", readonly=True, copy=False
    )

    _callback_uniq = models.UniqueIndex(
        "(callback_id) WHERE callback_id IS NOT NULL", "A callback has one questionnaire answer."
    )

    @api.model
    def _protected_fields(self):
        # the signed questionnaire link binds an answer to its callback, as the system
        return super()._protected_fields() | {"callback_id"}

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and any(vals.get("callback_id") for vals in vals_list):
            raise AccessError(self.env._("Only the callback's questionnaire link binds an answer to a callback."))
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and "callback_id" in vals:
            raise AccessError(self.env._("Only the callback's questionnaire link binds an answer to a callback."))
        return super().write(vals)

    def _mark_done(self):
        for answer in self.filtered("callback_id"):
            answer._check_callback_values()  # before the answer is closed: an incomplete one stays open
        res = super()._mark_done()
        for answer in self.filtered("callback_id"):
            # the customer answers through a signed link, as the public user
            answer.callback_id.sudo()._register_survey_result(answer)
        return res

    def _check_callback_values(self):
        values = self._get_callback_values()
        if not 1 <= int(values.get("satisfaction") or 0) <= 5:
            raise UserError(self.env._("Please rate your satisfaction from 1 to 5 before submitting."))
        feedback = (values.get("suggestions") or "") + (values.get("comments") or "")
        if max(len(values.get("problems") or ""), len(feedback)) > MAX_TEXT:
            raise UserError(self.env._("Please shorten your answers to at most %(max)s characters.", max=MAX_TEXT))

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
