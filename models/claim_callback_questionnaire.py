"""The questionnaire: a signed, expiring link per callback, its answer registered as the result."""

import logging
import uuid
from datetime import timedelta

import pytz

from odoo import fields, models
from odoo.tools import consteq, hmac

from .claim_callback import MAX_ISSUES, OPEN_STATES
from .res_config_settings import callback_param

_logger = logging.getLogger(__name__)
SURVEY_LINK_SCOPE = "claim-callback-survey"

class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    # a secret per callback, set at creation (no write per record when links are sent in batch);
    # the questionnaire link is signed with it, so a new token revokes the links already sent
    access_token = fields.Char(default=lambda self: str(uuid.uuid4()))
    survey_expiry_date = fields.Datetime(
        string="Questionnaire Link Expiry", readonly=True, copy=False,
        help="Unanswered by then after the fallback message, the callback is unreachable.",
    )
    survey_answer_ids = fields.One2many("survey.user_input", "callback_id", string="Questionnaire Answers")


    def _survey_link_signature(self, expiry):
        self.ensure_one()
        return hmac(self.env(su=True), SURVEY_LINK_SCOPE, (self.id, int(expiry), self.access_token or ""))

    def _get_survey_url(self):
        self.ensure_one()
        expiry_date = self.survey_expiry_date or (
            fields.Datetime.now() + timedelta(days=callback_param(self.env, "survey_link_days"))
        )
        expiry = int(pytz.utc.localize(expiry_date).timestamp())
        return f"{self.get_base_url()}/claim_callback/survey/{self.id}/{expiry}/{self._survey_link_signature(expiry)}"

    def _check_survey_link(self, expiry, signature):
        """'ok', or why the link cannot be used: 'invalid', 'expired', 'closed'."""
        self.ensure_one()
        if not consteq(str(signature).encode(), self._survey_link_signature(expiry).encode()):
            return "invalid"
        if int(expiry) < fields.Datetime.now().replace(tzinfo=pytz.utc).timestamp():
            return "expired"
        if self.state not in OPEN_STATES or any(a.state == "done" for a in self.survey_answer_ids):
            return "closed"
        return "ok"

    def _get_survey_answer(self):
        """The questionnaire answer of this callback, created on first use."""
        self.ensure_one()
        if self.survey_answer_ids:
            return self.survey_answer_ids[:1]
        survey = self.env.ref("insurance_claim_callback.survey_callback")
        return survey._create_answer(partner=self.partner_id, check_attempts=False, callback_id=self.id)

    def _register_survey_result(self, answer):
        self.ensure_one()
        if self.state not in OPEN_STATES:
            _logger.info("Questionnaire of %s answered after the callback was closed: ignored", self.display_name)
            return False
        values = answer._get_callback_values()
        if not values.get("satisfaction"):
            return False
        problems = [line.strip() for line in (values.get("problems") or "").splitlines() if line.strip()]
        if len(problems) > MAX_ISSUES:  # one problem per line: the lines past the limit stay in the last one
            problems[MAX_ISSUES - 1 :] = ["\n".join(problems[MAX_ISSUES - 1 :])]
        feedback = "\n\n".join(v for v in (values.get("suggestions"), values.get("comments")) if v)
        result = self.register_result(
            values["satisfaction"], nps=values.get("nps"), feedback=feedback or None, issues=problems or None
        )
        self.env["claim.reward.rule"]._reward_event("survey_completed", self)
        return result
