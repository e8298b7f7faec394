from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestOutcome(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.claim = cls._closed_claims(1)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", cls.claim.id)])
        cls.callback = cls.claim.callback_ids
        cls.callback.user_id = cls.agent_1

    def _assert_nothing_written(self, callback, state):
        self.assertEqual(callback.state, state)
        self.assertFalse(callback.satisfaction)
        self.assertFalse(callback.feedback_ticket_ids)
        self.assertFalse(self.env["helpdesk.ticket"].search([("source_callback_id", "=", callback.id)]))

    def test_out_of_range_values_are_rejected_and_nothing_written(self):
        cb = self.callback.with_user(self.agent_1)
        for sat, nps in ((0, None), (6, None), (4, 11), (4, -1), (True, None), ("5", None), (3.5, None)):
            with self.subTest(satisfaction=sat, nps=nps), self.assertRaises(ValidationError):
                cb.register_result(sat, nps=nps, feedback="x", issues=["a problem"])
        self._assert_nothing_written(self.callback, "scheduled")

    def test_result_on_cancelled_or_done_callback_is_rejected(self):
        self.callback.action_cancel()
        with self.assertRaises(ValidationError):
            self.callback.register_result(5, issues=["late"])
        self._assert_nothing_written(self.callback, "cancelled")
        self.callback.action_reset()
        self.callback.register_result(5)
        with self.assertRaises(ValidationError):
            self.callback.register_result(1, issues=["late"])
        self.assertEqual(self.callback.satisfaction, 5)
        self.assertFalse(self.callback.feedback_ticket_ids)

    @freeze_time("2026-03-02 10:00:00")
    def test_each_problem_becomes_a_feedback_issue(self):
        complaints = self.env["helpdesk.ticket.team"].create({"name": "Complaints"})
        self.callback.company_id.callback_complaints_team_id = complaints
        self.callback.with_user(self.agent_1).register_result(
            2, nps=3, feedback="Too slow", issues=["Payment was late", {"name": "Rude adjuster", "is_complaint": True}]
        )
        late, rude = self.callback.feedback_ticket_ids.sorted("id")
        self.assertEqual((late.team_id, late.is_complaint), (self.team, False))
        self.assertEqual((rude.team_id, rude.is_complaint), (complaints, True))
        self.assertEqual(late.sla_resolution_deadline.isoformat(" "), "2026-03-04 10:00:00")
        self.assertEqual((late.partner_id, late.source_callback_id), (self.customer, self.callback))
        self.assertIn("Payment was late", late.description)
        self.assertTrue(any("2 issue(s) raised" in m.body for m in self.claim.message_ids))

    def test_feedback_gets_sentiment_in_chinese_and_english(self):
        self.callback.register_result(2, feedback="理賠太慢了，客服態度很差，我要投訴。")
        self.assertEqual(self.callback.sentiment, "negative")
        self.assertLess(self.callback.sentiment_score, -0.2)
        other = self._closed_claims(1)
        self._schedule(other)
        other.callback_ids.register_result(5, feedback="Quick and friendly service, thank you!")
        self.assertEqual(other.callback_ids.sentiment, "positive")
        self.assertGreater(other.callback_ids.sentiment_score, 0.2)

    def test_outcome_wizard_records_answers_and_issues_through_register_result(self):
        wizard = self.env["claim.callback.outcome"].with_user(self.agent_1)
        wizard_form = Form(wizard.with_context(default_callback_id=self.callback.id))
        wizard_form.satisfaction = "5"
        wizard_form.nps = "9"
        wizard_form.feedback = "Great service"
        wizard_form.suggestions = "Send SMS updates"
        with wizard_form.answer_ids.edit(0) as answer:  # the rating question is the satisfaction field
            answer.answer_yes = True  # the yes / no question: one click on its "Yes" cell
        with wizard_form.issue_ids.new() as issue:
            issue.name = "Receipt missing"
        wizard_form.save().action_confirm()
        cb = self.callback
        self.assertEqual((cb.state, cb.satisfaction, cb.nps, cb.suggestions), ("done", 5, 9, "Send SMS updates"))
        self.assertIn("Was the payment made on time?: Yes", cb.answers)
        self.assertIn("Receipt missing", cb.feedback_ticket_ids.description)

    def test_outcome_wizard_rejects_an_invalid_answer(self):
        wizard = self.env["claim.callback.outcome"].with_user(self.agent_1).create(
            {"callback_id": self.callback.id, "satisfaction": "4"}
        )
        wizard.answer_ids[0].value = "maybe"
        with self.assertRaises(ValidationError):
            wizard.action_confirm()
        self.assertEqual(self.callback.state, "scheduled")
