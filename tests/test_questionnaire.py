from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestQuestionnaire(CallbackCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claim = cls._closed_claims(1)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", claim.id)])
        cls.callback = claim.callback_ids
        cls.callback.survey_expiry_date = fields.Datetime.now() + timedelta(days=7)

    def _path(self, url):
        return url[url.index("/claim_callback/"):]

    def _get(self, path):
        return self.url_open(path, allow_redirects=False, headers={"X-Odoo-Database": self.env.cr.dbname})

    def _answer(self, answer, satisfaction=2, nps=6, problems="Slow payment\nRude agent", suggestions="Call earlier"):
        ref = self.env.ref
        answer._save_lines(ref("insurance_claim_callback.survey_question_satisfaction"), str(satisfaction))
        answer._save_lines(ref("insurance_claim_callback.survey_question_nps"), str(nps))
        answer._save_lines(ref("insurance_claim_callback.survey_question_problems"), problems)
        answer._save_lines(ref("insurance_claim_callback.survey_question_suggestions"), suggestions)
        answer._mark_done()

    def test_link_opens_the_callbacks_one_answer_and_submission_registers_the_result(self):
        path = self._path(self.callback._get_survey_url())
        response = self._get(path)
        self.assertEqual(response.status_code, 303)
        answer = self.callback.survey_answer_ids
        self.assertEqual(len(answer), 1)
        self.assertIn(f"answer_token={answer.access_token}", response.headers["Location"])
        start = self.url_open(response.headers["Location"], headers={"X-Odoo-Database": self.env.cr.dbname})
        self.assertEqual(start.status_code, 200)
        self.assertIn("How did we handle your claim?", start.text)
        self.assertEqual(self._get(path).status_code, 303)
        self.assertEqual(len(self.callback.survey_answer_ids), 1, "one answer record per callback")
        self._answer(answer)
        self.assertEqual(self.callback.state, "done")
        self.assertEqual(self.callback.satisfaction, 2)
        self.assertEqual(self.callback.nps, 6)
        self.assertIn("Call earlier", self.callback.feedback)
        # reused link: a clear page, nothing changed
        response = self._get(path)
        self.assertEqual(response.status_code, 409)
        self.assertIn("already have your answer", response.text)
        self.assertEqual(len(self.callback.survey_answer_ids), 1)

    def test_tampered_link_changes_nothing(self):
        path = self._path(self.callback._get_survey_url())
        for bad in (path[:-2] + ("00" if not path.endswith("00") else "11"),
                    path.replace(f"/survey/{self.callback.id}/", f"/survey/{self.callback.id + 1}/")):
            response = self._get(bad)
            self.assertEqual(response.status_code, 403)
            self.assertIn("not valid", response.text)
        self.assertFalse(self.callback.survey_answer_ids)

    def test_new_access_token_revokes_the_links_already_sent(self):
        self.assertTrue(self.callback.access_token)
        self.assertNotEqual(self.callback.access_token, self._closed_claims(1).callback_ids.access_token)
        path = self._path(self.callback._get_survey_url())
        self.callback.access_token = False
        self.callback._portal_ensure_token()
        response = self._get(path)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(self.callback.survey_answer_ids)
        self.assertEqual(self._get(self._path(self.callback._get_survey_url())).status_code, 303)

    def test_expired_link_changes_nothing(self):
        path = self._path(self.callback._get_survey_url())
        with freeze_time(fields.Datetime.now() + timedelta(days=8)):
            response = self._get(path)
        self.assertEqual(response.status_code, 410)
        self.assertIn("expired", response.text)
        self.assertFalse(self.callback.survey_answer_ids)
        self.assertEqual(self.callback.state, "scheduled")

    def test_submitted_questionnaire_earns_the_survey_points_once(self):
        rule = self.env["claim.reward.rule"].create({"name": "Survey", "event": "survey_completed", "points": 15})
        answer = self.callback._get_survey_answer()
        self._answer(answer)
        self._answer(answer)  # a second submission of the same answer
        entries = self.env["claim.reward.entry"].search([("rule_id", "=", rule.id)])
        self.assertEqual((len(entries), entries.points, entries.callback_id), (1, 15, self.callback))
