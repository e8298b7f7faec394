from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from ..models.claim_callback_queue import QUEUE_ORDER
from .common import CallbackCase

# 2026-11-26 02:00 UTC = 10:00 in Taipei, inside the 09:00-20:00 calling window.
MORNING_UTC = "2026-11-26 02:00:00"


@tagged("post_install", "-at_install")
class TestAgentDay(CallbackCase):
    """The agent's queue, the Log Call dialog, the outcome wizard, and what supervisors and managers see."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.tz = "Asia/Taipei"
        cls.Callback = cls.env["claim.callback"]
        cls.env["res.lang"]._activate_lang("zh_TW")

    def _callback(self, closed_at=MORNING_UTC, **claim_vals):
        with freeze_time(closed_at):
            claim = self._closed_claims(1, **claim_vals)
            self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = self.agent_1
        return callback

    def _queue(self):
        return self.Callback.with_user(self.agent_1).search(
            [("user_id", "=", self.agent_1.id), ("state", "in", ("scheduled", "in_progress"))], order=QUEUE_ORDER
        )

    def _log_call(self, callback, outcome, **vals):
        wizard = self.env["claim.callback.log.call"].with_user(self.agent_1).create(
            {"callback_id": callback.id, "outcome": outcome, **vals}
        )
        return wizard.action_confirm()

    # ------------------------------------------------------------------
    # The queue
    # ------------------------------------------------------------------

    def test_queue_puts_callable_now_first_then_earliest_running_deadline_then_priority(self):
        with freeze_time(MORNING_UTC):
            old = self._callback("2026-11-25 08:00:00")  # first contact due 2026-11-26 08:00
            new = self._callback("2026-11-26 01:00:00")  # due 2026-11-27 01:00
            same_deadline_urgent = self._callback("2026-11-26 01:00:00")
            same_deadline_urgent.priority = "3"
            contacted = self._callback("2026-11-24 08:00:00")  # the oldest, but retried later
            self.Callback._sla_check(500)  # the SLA cron moved yesterday's calling windows to today's
            self._log_call(contacted, "no_answer")
            self.assertEqual(contacted.queue_section, "2_later")
            self.assertEqual(old.next_due_date, old.sla_first_contact_deadline)
            self.assertEqual(self._queue(), old | same_deadline_urgent | new | contacted)
            self.assertEqual(self._queue().mapped("queue_section"), ["1_now"] * 3 + ["2_later"])

        # Its next try has come: it is back in "Call Now" (no cron needed), by its completion deadline
        # (2026-11-27 08:00), after the first contacts due before.
        with freeze_time(contacted.next_attempt_date):
            self.env.invalidate_all()
            self.assertEqual(contacted.queue_section, "1_now")
            self.assertEqual(self._queue(), old | same_deadline_urgent | new | contacted)
            self.assertEqual(set(self._queue().mapped("queue_section")), {"1_now"})

    def test_first_contact_deadline_runs_before_completion_then_completion(self):
        callback = self._callback()
        self.assertEqual(callback.next_due_date, callback.sla_first_contact_deadline)
        with freeze_time("2026-11-26 03:00:00"):
            self._log_call(callback, "busy")
        self.assertEqual(callback.next_due_date, callback.sla_completion_deadline)

    def test_countdown_in_hours_due_and_breached(self):
        callback = self._callback()  # first contact due 2026-11-27 02:00
        with freeze_time("2026-11-26 23:10:00"):
            callback.invalidate_recordset(["sla_countdown"])
            self.assertEqual(callback.sla_countdown, "first contact due in 2 h")
        with freeze_time("2026-11-27 07:30:00"):
            callback.invalidate_recordset(["sla_countdown"])
            self.assertEqual(callback.sla_countdown, "first contact breached 5 h ago")
        with freeze_time("2026-11-27 08:00:00"):
            self._log_call(callback, "no_answer")
            callback.invalidate_recordset(["sla_countdown"])
            # completion due 2026-11-29 02:00 (72 h)
            self.assertEqual(callback.sla_countdown, "due in 42 h")
        zh = callback.with_context(lang="zh_TW")
        with freeze_time("2026-11-27 08:00:00"):
            self.assertIn("42", zh.sla_countdown)

    def test_next_try_shown_in_the_customers_local_time(self):
        callback = self._callback()
        with freeze_time("2026-11-26 12:30:00"):  # 20:30 in Taipei: retry next morning
            self._log_call(callback, "no_answer")
        self.assertEqual(callback.next_attempt_date, datetime(2026, 11, 27, 1, 0))
        self.assertEqual(callback.next_attempt_local, "Fri, Nov 27, 09:00 AM (Taipei Time)")

    # ------------------------------------------------------------------
    # Log Call
    # ------------------------------------------------------------------

    @freeze_time(MORNING_UTC)
    def test_no_answer_from_the_queue_row_logs_an_attempt_a_chatter_line_and_confirms(self):
        callback = self._callback()
        action = callback.with_user(self.agent_1).action_quick_no_answer()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("No Answer", action["params"]["message"])
        self.assertEqual(callback.attempt_ids.mapped("outcome"), ["no_answer"])
        self.assertEqual(callback.attempt_ids.user_id, self.agent_1)
        self.assertTrue(any("Call logged: No Answer" in m.body for m in callback.message_ids))

    @freeze_time(MORNING_UTC)
    def test_every_outcome_leaves_an_attempt_and_a_chatter_line(self):
        for outcome in ("busy", "refused", "wrong_number", "no_answer"):
            with self.subTest(outcome=outcome):
                callback = self._callback()
                self._log_call(callback, outcome, duration_minutes=3, note="Line was bad")
                self.assertEqual(callback.attempt_ids.mapped("outcome"), [outcome])
                self.assertEqual(callback.attempt_ids.duration, 180)
                self.assertEqual(callback.attempt_ids.note, "Line was bad")
                self.assertEqual(len(callback.message_ids.filtered(lambda m: "Call logged" in (m.body or ""))), 1)

    @freeze_time(MORNING_UTC)
    def test_call_back_later_at_the_customers_local_time_pauses_the_sla(self):
        callback = self._callback()
        completion_due = callback.sla_completion_deadline
        form = Form(self.env["claim.callback.log.call"].with_user(self.agent_1).with_context(
            default_callback_id=callback.id))
        form.outcome = "call_back_later"
        self.assertEqual(form.callback_day, date(2026, 11, 27), "tomorrow in the customer's time by default")
        form.callback_day = date(2026, 11, 28)
        form.callback_time = 14.5  # 14:30 in Taipei = 06:30 UTC
        form.save().action_confirm()
        self.assertEqual(callback.attempt_ids.outcome, "call_back_later")
        self.assertEqual(callback.sla_pause_until, datetime(2026, 11, 28, 6, 30))
        self.assertEqual(callback.next_attempt_date, datetime(2026, 11, 28, 6, 30))
        self.assertEqual(callback.sla_paused_since, datetime(2026, 11, 26, 2, 0))
        self.assertEqual(callback.queue_section, "2_later")
        self.assertEqual(callback.sla_countdown, "Paused until Sat, Nov 28, 02:30 PM (Taipei Time)")
        self.assertTrue(any("SLA paused" in m.body for m in callback.message_ids))
        # The customer is reached at the chosen time: the 52.5 paused hours move the deadline.
        with freeze_time("2026-11-28 06:30:00"):
            self._log_call(callback, "reached")
        self.assertFalse(callback.sla_paused_since)
        self.assertAlmostEqual(callback.sla_paused_hours, 52.5)
        self.assertEqual((callback.sla_completion_deadline - completion_due).total_seconds() / 3600, 52.5)

    @freeze_time(MORNING_UTC)
    def test_call_back_later_in_the_past_or_without_a_day_is_refused(self):
        callback = self._callback()
        with self.assertRaises(ValidationError):
            self._log_call(callback, "call_back_later")
        with self.assertRaises(ValidationError):
            self._log_call(callback, "call_back_later", callback_day="2026-11-26", callback_time=9.0)  # 01:00 UTC
        self.assertFalse(callback.attempt_ids)

    @freeze_time(MORNING_UTC)
    def test_reached_goes_straight_into_the_outcome_wizard_and_next_opens_the_queue(self):
        callback, other = self._callback(), self._callback()
        action = self._log_call(callback, "reached")
        self.assertEqual(action["res_model"], "claim.callback.outcome")
        self.assertEqual(action["context"]["default_callback_id"], callback.id)
        self.assertEqual(callback.attempt_ids.outcome, "reached")
        nxt = callback.with_user(self.agent_1).action_open_next_in_queue()
        self.assertEqual(nxt["res_id"], other.id)

    # ------------------------------------------------------------------
    # Outcome wizard
    # ------------------------------------------------------------------

    def _outcome_form(self, callback):
        return Form(self.env["claim.callback.outcome"].with_user(self.agent_1).with_context(
            default_callback_id=callback.id))

    @freeze_time(MORNING_UTC)
    def test_outcome_asks_satisfaction_once_and_offers_yes_no_choices(self):
        callback = self._callback()
        form = self._outcome_form(callback)
        self.assertEqual(form.satisfaction_question, "How satisfied are you with the handling of your claim (1-5)?")
        form.satisfaction = "4"
        wizard = form.save()
        self.assertEqual(
            wizard.answer_ids.question_id.mapped("question_type"), ["yes_no", "text"],
            "the rating question is the satisfaction field, not asked again",
        )
        yes_no = wizard.answer_ids.filtered(lambda a: a.question_type == "yes_no")
        choices = self.env["claim.callback.script.choice"].search([("question_id", "=", yes_no.question_id.id)])
        self.assertEqual(choices.mapped("display_name"), ["Yes", "No"])
        self.assertEqual(choices.with_context(lang="zh_TW").mapped("display_name"), ["是", "否"])
        yes_no.choice_id = choices[0]
        wizard.action_confirm()
        self.assertIn("Was the payment made on time?: Yes", callback.answers)
        self.assertIn("(1-5)?: 4", callback.answers)
        self.assertEqual(callback.satisfaction, 4)
        self.assertEqual(callback.attempt_ids.outcome, "reached", "an outcome without Log Call still counts the call")

    def test_typed_yes_no_answers_accepted_in_any_case_and_in_chinese(self):
        question = self.env.ref("insurance_claim_callback.claim_callback_script_default_q2")
        for typed, stored in (("Yes", "yes"), ("是", "yes"), ("yes", "yes"), ("NO", "no"), ("否", "no")):
            with self.subTest(typed=typed):
                self.assertEqual(question._normalize_answer(typed), stored)
        with self.assertRaises(ValidationError):
            question._normalize_answer("maybe")

    # ------------------------------------------------------------------
    # Supervisors and managers
    # ------------------------------------------------------------------

    def test_escalation_activity_is_closed_when_the_callback_completes_or_is_cancelled(self):
        done, cancelled = self._callback("2025-03-07 00:00:00"), self._callback("2025-03-07 00:00:00")
        with freeze_time("2025-03-08 00:30:00"):
            self.Callback._sla_check(500)
        escalation = self.env.ref("insurance_claim_callback.mail_activity_type_sla_escalation")
        for callback in done | cancelled:
            self.assertEqual(callback.activity_ids.activity_type_id, escalation)
            self.assertEqual(callback.activity_ids.user_id, self.supervisor)
        done.with_user(self.agent_1).register_result(5)
        cancelled.with_user(self.supervisor).action_cancel()
        self.assertFalse(done.activity_ids)
        self.assertFalse(cancelled.activity_ids)
        self.assertTrue(any("The callback is closed" in (m.body or "") for m in done.message_ids))

    def test_redeem_wizard_spends_points_through_reward_redeem(self):
        self.env["claim.reward.entry"].create(
            {"kind": "adjust", "partner_id": self.customer.id, "company_id": self.company.id, "points": 50,
             "reason": "welcome"}
        )
        wizard = self.env["claim.partner.redeem"].with_user(self.supervisor).create(
            {"partner_id": self.customer.id, "points": 30, "reason": "Voucher"}
        )
        self.assertEqual(wizard.balance, 50)
        wizard.action_confirm()
        entry = self.env["claim.reward.entry"].search([("partner_id", "=", self.customer.id), ("kind", "=", "redeem")])
        self.assertEqual((entry.points, entry.reason), (-30, "Voucher"))
        self.customer.invalidate_recordset(["reward_points"])
        self.assertEqual(self.customer.reward_points, 20)
        with self.assertRaises(ValidationError):
            self.env["claim.partner.redeem"].with_user(self.supervisor).create(
                {"partner_id": self.customer.id, "points": 21, "reason": "Too much"}
            ).action_confirm()

    def test_compute_this_month_for_managers(self):
        with freeze_time("2026-12-15 10:00:00"):
            action = self.env["claim.callback.kpi"].with_user(self.manager).action_compute_this_month()
        kpi = self.env["claim.callback.kpi"].browse(action["res_id"])
        self.assertEqual((kpi.month, kpi.company_id), (date(2026, 12, 1), self.env.company))
        self.assertEqual(kpi.month_name, "December 2026")
        with self.assertRaises(AccessError):
            self.env["claim.callback.kpi"].with_user(self.supervisor).action_compute_this_month()

    def test_kpi_values_leave_na_months_out_of_the_graphs(self):
        Kpi, Line = self.env["claim.callback.kpi"], self.env["claim.callback.kpi.line"]
        empty = Kpi.compute_month(date(2026, 10, 1), self.company)
        self.assertFalse(Line.search([("kpi_id", "=", empty.id)]), "every KPI is n/a: nothing to plot")
        self._callback("2026-11-10 10:00:00")
        kpi = Kpi.compute_month(date(2026, 11, 1), self.company)
        lines = Line.search([("kpi_id", "=", kpi.id)])
        self.assertIn("coverage_72h", lines.mapped("kpi"))
        self.assertNotIn("satisfaction_rate", lines.mapped("kpi"), "no rated callback: n/a, not 0")
        self.assertEqual(lines.filtered(lambda line: line.kpi == "coverage_72h").value, kpi.coverage_72h)
