from datetime import datetime

from freezegun import freeze_time
from psycopg2 import errors as pg_errors

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestChain(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time("2026-03-01 08:00:00"):
            cls.claim = cls._closed_claims(1)
            cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", cls.claim.id)])
        cls.first = cls.claim.callback_ids
        cls.first.user_id = cls.agent_1

    def _open(self, claim=None):
        return (claim or self.claim).callback_ids.filtered(lambda c: c.state in ("scheduled", "in_progress"))

    def _notes(self):
        return " | ".join(self.claim.message_ids.mapped("body"))

    def test_satisfied_without_issue_ends_the_chain(self):
        self.first.with_user(self.agent_1).register_result(4, feedback="Fine, thanks")
        self.assertEqual(self.first.chain_state, "satisfied")
        self.assertEqual(self.claim.callback_status, "satisfied")
        self.assertEqual(len(self.claim.callback_ids), 1)
        self.assertIn("chain ends", self._notes())

    @freeze_time("2026-03-02 10:00:00")
    def test_low_satisfaction_schedules_next_callback_with_its_own_sla(self):
        self.first.with_user(self.agent_1).register_result(3)
        nxt = self._open()
        self.assertEqual((nxt.sequence, nxt.parent_id, nxt.state), (2, self.first, "scheduled"))
        self.assertEqual(nxt.sla_start_date, datetime(2026, 3, 2, 10))
        self.assertEqual(nxt.sla_first_contact_deadline, datetime(2026, 3, 3, 10))
        self.assertEqual(nxt.sla_completion_deadline, datetime(2026, 3, 5, 10))
        self.assertIn(nxt.user_id, self.agent_1 | self.agent_2)
        self.assertEqual((self.first.chain_state, self.claim.callback_status), ("next_scheduled", "pending"))
        self.assertIn("Callback #2 scheduled", self._notes())

    def test_low_satisfaction_threshold_is_configurable(self):
        self.first.company_id.callback_satisfied_score = 5
        self.first.register_result(4)
        self.assertEqual(self._open().sequence, 2)

    def test_negative_sentiment_schedules_next_callback_despite_good_score(self):
        self.first.register_result(4, feedback="The agent was rude and the payment was late, terrible.")
        self.assertEqual(self.first.sentiment, "negative")
        self.assertEqual(self._open().sequence, 2)

    def test_next_callback_waits_until_all_issues_are_resolved(self):
        with freeze_time("2026-03-02 10:00:00"):
            self.first.with_user(self.agent_1).register_result(5, issues=["Receipt missing", "Wrong IBAN"])
        self.assertEqual(self.first.chain_state, "waiting_issues")
        self.assertFalse(self._open())
        self.assertEqual(self.claim.callback_status, "pending")
        issue_1, issue_2 = self.first.feedback_ticket_ids
        with freeze_time("2026-03-03 09:00:00"):
            issue_1.stage_id = self.stage_done
            self.assertFalse(self._open())
        with freeze_time("2026-03-04 09:00:00"):
            issue_2.with_user(self.agent_2).stage_id = self.stage_done
        nxt = self._open()
        self.assertEqual((nxt.sequence, nxt.parent_id), (2, self.first))
        self.assertEqual(nxt.sla_start_date, datetime(2026, 3, 4, 9))
        self.assertIn("follows their resolution", self._notes())

    def test_chain_limit_is_a_visible_state_with_an_activity_for_the_supervisor(self):
        callback = self.first
        for _ in range(3):
            callback.register_result(2)
            callback = self._open()
        self.assertFalse(callback)
        last = self.claim.callback_ids.sorted("sequence")[-1]
        self.assertEqual((last.sequence, last.chain_state), (3, "limit_reached"))
        self.assertEqual(self.claim.callback_status, "limit_reached")
        self.assertEqual(last.activity_ids.user_id, self.supervisor)
        self.assertIn("limit reached", self._notes())

    def test_chain_limit_is_configurable(self):
        self.first.company_id.callback_chain_limit = 1
        self.first.register_result(1)
        self.assertEqual((self.first.chain_state, self.claim.callback_status), ("limit_reached", "limit_reached"))
        self.assertFalse(self._open())

    def test_second_callback_satisfied_ends_chain(self):
        self.first.register_result(2)
        self._open().register_result(5, feedback="Now it is all good, thank you")
        self.assertEqual(self.claim.callback_status, "satisfied")
        self.assertEqual(len(self.claim.callback_ids), 2)

    def test_same_result_submitted_twice_gives_one_next_callback(self):
        self.first.register_result(2)
        with self.assertRaises(ValidationError):
            self.first.register_result(2)
        self.first._advance_chain()
        self.assertEqual(len(self._open()), 1)
        self.assertEqual(len(self.claim.callback_ids), 2)

    def test_cron_running_twice_schedules_one_next_callback(self):
        self.first.register_result(5, issues=["Receipt missing"])
        issue = self.first.feedback_ticket_ids
        # Resolved outside the ORM hook (e.g. a data import): the cron is the safety net.
        self.env.cr.execute("UPDATE helpdesk_ticket SET stage_id = %s WHERE id = %s", (self.stage_done.id, issue.id))
        self.env.invalidate_all()
        cron = self.env.ref("insurance_claim_callback.ir_cron_advance_chains")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(len(self._open()), 1)
        self.assertEqual(self.first.chain_state, "next_scheduled")

    def test_never_two_open_callbacks_for_one_claim(self):
        self.first.register_result(2)
        nxt = self._open()
        nxt.action_cancel()
        self.first.chain_state = "next_due"  # as if a rerun decided again
        self.first._advance_chain()
        self.assertFalse(self._open(), "a cancelled next callback is not replaced by the chain")
        nxt.action_reset()
        with mute_logger("odoo.sql_db"), self.assertRaises(pg_errors.UniqueViolation), self.env.cr.savepoint():
            self.env["claim.callback"].create({"ticket_id": self.claim.id, "sequence": 9})
            self.env.flush_all()
