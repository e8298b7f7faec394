from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestFeedbackRetention(CallbackCase):
    """The customer's free text is erased once the company's retention period is over."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claim = cls._closed_claims(1)
        cls._schedule(cls.claim)
        cls.callback = cls.claim.callback_ids
        with freeze_time("2024-01-10 09:00:00"):
            cls.callback.register_attempt("phone", "no_answer", note="Wife said to call her on 0912 345 678")
            cls.callback.register_result(
                5, nps=9, feedback="Mr Lin at the Taipei branch was great", suggestions="Call my wife", answers="yes"
            )
        answer = cls.callback._get_survey_answer()
        cls.line = cls.env["survey.user_input.line"].create(
            {
                "user_input_id": answer.id,
                "question_id": cls.env.ref("insurance_claim_callback.survey_question_comments").id,
                "answer_type": "text_box",
                "value_text_box": "I live at 12 Zhongshan Road",
            }
        )

    def _run_cron(self, at):
        cron = self.env.ref("insurance_claim_callback.ir_cron_data_retention")
        with freeze_time(at), self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def _assert_kept(self):
        self.assertEqual(self.callback.feedback, "Mr Lin at the Taipei branch was great")
        self.assertEqual(self.callback.attempt_ids.note, "Wife said to call her on 0912 345 678")
        self.assertEqual(self.line.value_text_box, "I live at 12 Zhongshan Road")
        self.assertFalse(self.callback.feedback_anonymized_date)

    def test_free_text_erased_after_the_period_scores_kept(self):
        self._run_cron("2026-01-08 09:00:00")  # 729 days after completion (default 730)
        self._assert_kept()
        self._run_cron("2026-01-10 09:00:00")
        callback = self.callback
        self.assertFalse(callback.feedback or callback.suggestions or callback.answers)
        self.assertFalse(callback.attempt_ids.note)
        self.assertEqual(self.line.value_text_box, "***")
        self.assertEqual(str(callback.feedback_anonymized_date), "2026-01-10 09:00:00")
        self.assertEqual((callback.satisfaction, callback.nps, callback.sentiment), (5, 9, "positive"))
        self.assertEqual(callback.attempt_ids.outcome, "no_answer")
        self._run_cron("2026-03-01 09:00:00")  # a rerun changes nothing
        self.assertEqual(str(callback.feedback_anonymized_date), "2026-01-10 09:00:00")

    def test_period_is_per_company_and_zero_keeps_everything(self):
        self.company.callback_feedback_retention_days = 0
        self._run_cron("2030-01-01 09:00:00")
        self._assert_kept()
        self.company.callback_feedback_retention_days = 30
        self._run_cron("2024-02-10 09:00:00")
        self.assertFalse(self.callback.feedback)

    def test_open_callbacks_are_never_erased_cancelled_ones_are(self):
        open_claim, cancelled_claim = self._closed_claims(2)
        self._schedule(open_claim | cancelled_claim)
        open_cb, cancelled_cb = open_claim.callback_ids, cancelled_claim.callback_ids
        open_cb.register_attempt("phone", "busy", note="call after 6")
        cancelled_cb.register_attempt("phone", "busy", note="moved abroad")
        cancelled_cb.action_cancel()
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE claim_callback SET write_date = '2020-01-01' WHERE id IN %s", (open_cb.id, cancelled_cb.id))
        )
        self.env.invalidate_all()
        self._run_cron("2026-11-26 09:00:00")
        self.assertEqual(open_cb.attempt_ids.note, "call after 6")
        self.assertFalse(open_cb.feedback_anonymized_date)
        self.assertFalse(cancelled_cb.attempt_ids.note)
        self.assertTrue(cancelled_cb.feedback_anonymized_date)

    def test_admin_sets_the_period_negative_is_refused(self):
        admin = self.env.ref("base.user_admin")
        with Form(self.env["res.config.settings"].with_user(admin)) as settings:
            settings.callback_feedback_retention_days = 365
        self.assertEqual(self.company.callback_feedback_retention_days, 365)
        with self.assertRaises(ValidationError):
            self.company.callback_feedback_retention_days = -1
