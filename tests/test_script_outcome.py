from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import AGENT, SUPERVISOR, CallbackCase


@tagged("post_install", "-at_install")
class TestScriptOutcome(CallbackCase):
    """The script is read aloud in the customer's language with the agent's as a hint; answers read as labels;
    Yes / No takes one click; the confirmation names what the outcome started; topic corrections leave a
    trace; Callback Analysis gives each agent's counts, NPS and targets."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._activate_languages("zh_TW")
        cls.agent_zh = cls._user("icc_agent_zh", AGENT, lang="zh_TW", tz="Asia/Taipei")
        cls.team.user_ids = [Command.link(cls.agent_zh.id)]
        cls.customer.write({"lang": "en_US", "tz": "Asia/Taipei"})

    def _callback(self, agent=None):
        claim = self._closed_claims(1)
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = agent or self.agent_zh
        return callback

    # ------------------------------------------------------------------
    # Script
    # ------------------------------------------------------------------

    def test_script_body_and_questions_in_the_customers_language_with_the_agents_as_hint(self):
        callback = self._callback().with_user(self.agent_zh).with_context(lang="zh_TW")
        body = str(callback.script_body)
        spoken, hint = "Was the payment made on time?", "款項是否準時支付？"
        self.assertIn("Hello Chen Mei-Ling", body)  # the body, read aloud in English
        self.assertIn(spoken, body)  # the questions too
        self.assertLess(body.index(spoken), body.index(hint), "the agent's language comes after, as a hint")
        self.assertIn("(Yes / No)", body)  # the answers the customer may give, in their words
        self.assertLess(body.index("Hello Chen"), body.rindex("理賠"), "the body's hint line is in Chinese")

    def test_script_without_hint_when_agent_and_customer_share_the_language(self):
        callback = self._callback(self.agent_1).with_user(self.agent_1).with_context(lang="en_US")
        body = str(callback.script_body)
        self.assertIn("Was the payment made on time?", body)
        self.assertNotIn("款項", body)
        self.assertNotIn("fst-italic", body)

    # ------------------------------------------------------------------
    # Outcome
    # ------------------------------------------------------------------

    def _outcome_form(self, callback, user):
        Outcome = self.env["claim.callback.outcome"].with_user(user)
        form = Form(Outcome.with_context(lang=user.lang, default_callback_id=callback.id))
        form.satisfaction = "2"
        return form

    def test_yes_no_in_one_click_and_answers_stored_by_label(self):
        callback = self._callback()
        form = self._outcome_form(callback, self.agent_zh)
        self.assertEqual(
            form.satisfaction_question,
            "How satisfied are you with the handling of your claim (1-5)?（您對理賠案件的處理滿意程度為何（1-5）？）",
        )
        with form.answer_ids.edit(0) as answer:
            self.assertEqual(answer.question_text, "Was the payment made on time?（款項是否準時支付？）")
            answer.answer_no = True  # one click on the "No" cell
        form.save().action_confirm()
        self.assertIn("款項是否準時支付？: 否", callback.answers)
        self.assertNotIn(": no", callback.answers)

    def test_both_yes_and_no_ticked_is_refused(self):
        callback = self._callback()
        form = self._outcome_form(callback, self.agent_zh)
        with form.answer_ids.edit(0) as answer:
            answer.answer_yes = answer.answer_no = True
        wizard = form.save()
        with self.assertRaises(ValidationError):
            wizard.action_confirm()
        self.assertEqual(callback.state, "scheduled")

    def test_confirmation_names_the_complaint_ticket_and_the_points_earned(self):
        complaints = self.env["helpdesk.ticket.team"].create({"name": "Customer Care"})
        self.company.callback_complaints_team_id = complaints
        self.env["claim.reward.rule"].create({"name": "Feedback", "event": "feedback_given", "points": 20})
        callback = self._callback(self.agent_1)
        form = self._outcome_form(callback, self.agent_1)
        form.feedback = "Too slow"
        with form.issue_ids.new() as issue:
            issue.name = "Refund the towing"
            issue.is_complaint = True
        with form.issue_ids.new() as issue:
            issue.name = "Send the receipt"
        message = form.save().action_confirm()["params"]["message"]
        complaint = callback.feedback_ticket_ids.filtered("is_complaint")
        issue = callback.feedback_ticket_ids - complaint
        self.assertIn(f"Complaint ticket {complaint.number} created for Customer Care.", message)
        self.assertIn(f"Feedback issue {issue.number} created.", message)
        self.assertIn("Chen Mei-Ling earned 20 points.", message)

    # ------------------------------------------------------------------
    # Topics, analysis
    # ------------------------------------------------------------------

    def test_a_supervisors_topic_correction_is_tracked_in_the_chatter(self):
        callback = self._callback(self.agent_1)
        callback.register_result(2, feedback="The payment was late")
        before = callback.topic_ids
        other = self.env["claim.feedback.topic"].search([("id", "not in", before.ids)], limit=1)
        supervisor = self._user("icc_topic_supervisor", SUPERVISOR)
        self.team.user_ids = [Command.link(supervisor.id)]
        callback.with_user(supervisor).with_context(tracking_disable=False, mail_notrack=False).write(
            {"topic_ids": [Command.set(other.ids)]}
        )
        self.env.cr.precommit.run()  # tracking is written when the transaction commits
        tracked = callback.message_ids.tracking_value_ids.filtered(lambda t: t.field_id.name == "topic_ids")
        self.assertTrue(tracked, "the correction leaves a trace")
        self.assertEqual(tracked[0].new_value_char, other.display_name)
        self.assertEqual(tracked[0].create_uid, supervisor)

    def test_analysis_by_agent_with_counts_nps_and_targets(self):
        self.company.write({"callback_target_coverage": 90.0, "callback_target_satisfaction": 80.0})
        results = [(5, 10), (4, 7), (2, 3)]  # a promoter, a passive, a detractor: NPS 0; 2 of 3 satisfied
        callbacks = self.env["claim.callback"]
        for satisfaction, nps in results:
            callback = self._callback(self.agent_1)
            callback.register_result(satisfaction, nps=nps)
            callbacks |= callback
        callbacks |= self._callback(self.agent_1)  # still open
        self.env.flush_all()
        [row] = self.env["claim.callback.analysis"].with_user(self.agent_1)._read_group(
            [("callback_id", "in", callbacks.ids)], ["user_id"],
            ["callback_count:sum", "done_count:sum", "completion_rate:avg", "target_completion:avg",
             "satisfaction_rate:avg", "target_satisfaction:avg", "nps:avg"],
        )
        user, count, done, completion, target_completion, satisfied, target_satisfaction, nps = row
        self.assertEqual((user, count, done), (self.agent_1, 4, 3))
        self.assertAlmostEqual(completion, 75.0)
        self.assertEqual((target_completion, target_satisfaction), (90.0, 80.0))
        self.assertAlmostEqual(satisfied, 200 / 3)
        self.assertAlmostEqual(nps, 0.0)
