from unittest.mock import patch

from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.insurance_claim_callback.models.claim_callback_scheduler import ClaimCallback

from .common import CallbackCase


class WorkerKilled(Exception):
    pass


@tagged("post_install", "-at_install")
class TestScheduling(CallbackCase):
    def _first_callbacks(self, tickets):
        return self.env["claim.callback"].search([("ticket_id", "in", tickets.ids), ("sequence", "=", 1)])

    def assertOneFirstCallbackEach(self, tickets):
        callbacks = self.env["claim.callback"].search([("ticket_id", "in", tickets.ids)])
        self.assertEqual(sorted(callbacks.ticket_id.ids), sorted(tickets.ids))
        self.assertEqual(len(callbacks), len(tickets))
        self.assertEqual(set(callbacks.mapped("sequence")), {1})

    def test_cron_run_twice_creates_one_callback_per_claim(self):
        claims = self._closed_claims(3)
        cron = self.env.ref("insurance_claim_callback.ir_cron_schedule_callbacks")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
            cron.method_direct_trigger()
        self.assertOneFirstCallbackEach(claims)
        self.assertEqual(set(claims.mapped("callback_status")), {"pending"})
        self.assertEqual(set(claims.callback_ids.mapped("state")), {"scheduled"})

    def test_claim_created_directly_in_closed_stage(self):
        with freeze_time("2026-05-01 10:00:00"):
            claim = self._claim(stage_id=self.stage_done.id)
        self.assertEqual(str(claim.closed_date), "2026-05-01 10:00:00")
        self._schedule(claim)
        self.assertOneFirstCallbackEach(claim)
        self.assertEqual(str(claim.callback_ids.sla_start_date), "2026-05-01 10:00:00")

    def test_open_claims_are_not_scheduled(self):
        claim = self._claim()
        self._schedule(claim)
        self.assertFalse(claim.callback_ids)

    def test_reopened_and_closed_again_keeps_one_first_callback(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        first = claim.callback_ids
        claim.write({"stage_id": self.stage_new.id})
        claim.write({"stage_id": self.stage_done.id})
        self._schedule(claim)
        self.assertEqual(claim.callback_ids, first)

    def test_cancelled_first_callback_is_not_recreated(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        claim.callback_ids.action_cancel()
        self.assertEqual(self._schedule(claim), 0)
        self.assertEqual(len(claim.callback_ids), 1)

    def test_batches_report_progress_counting_at_most_one_more_batch(self):
        """What remains is counted up to one batch: a batch costs the same whatever the backlog."""
        claims = self._closed_claims(5)
        Callback = self.env["claim.callback"]
        domain = [("id", "in", claims.ids)]
        self.assertEqual(Callback._schedule_first_callbacks(2, domain), (2, 2))
        self.assertEqual(Callback._schedule_first_callbacks(2, domain), (2, 1))
        self.assertEqual(Callback._schedule_first_callbacks(2, domain), (1, 0))
        self.assertEqual(Callback._schedule_first_callbacks(2, domain), (0, 0))
        self.assertOneFirstCallbackEach(claims)

    def test_oldest_closures_first(self):
        with freeze_time("2026-01-02"):
            late = self._closed_claims(1)
        with freeze_time("2026-01-01"):
            early = self._closed_claims(1)
        self.env["claim.callback"]._schedule_first_callbacks(1, [("id", "in", (late | early).ids)])
        self.assertTrue(early.callback_ids)
        self.assertFalse(late.callback_ids)

    def test_crash_after_first_batch_then_rerun(self):
        """A run killed after its first committed batch loses the rest; the rerun completes once."""
        claims = self._closed_claims(5)
        domain = [("id", "in", claims.ids)]
        Callback = self.env["claim.callback"]

        def killed(self, tickets):
            raise WorkerKilled("worker killed during its second batch")

        Callback._schedule_first_callbacks(2, domain)  # first batch, "committed"
        with patch.object(ClaimCallback, "_create_first_callbacks", killed):
            with self.assertRaises(WorkerKilled), self.cr.savepoint():
                Callback._schedule_first_callbacks(2, domain)
        self.assertEqual(len(self._first_callbacks(claims)), 2)
        self._schedule(claims, limit=2)
        self.assertOneFirstCallbackEach(claims)

    def test_unique_index_refuses_a_second_first_callback(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        with mute_logger("odoo.sql_db"), self.assertRaises(UniqueViolation), self.cr.savepoint():
            self.env["claim.callback"].create(
                {"ticket_id": claim.id, "company_id": claim.company_id.id, "sequence": 1}
            )

    def test_claims_scheduled_elsewhere_are_skipped_not_fatal(self):
        """When another transaction gave a claim its first callback, the batch moves on."""
        claims = self._closed_claims(3)
        Callback = self.env["claim.callback"]
        Callback._create_first_callbacks(claims[1])
        created = Callback._create_first_callbacks(claims)
        self.assertEqual(created.ticket_id, claims[0] | claims[2])
        self.assertOneFirstCallbackEach(claims)

    def test_closing_a_claim_triggers_the_cron(self):
        cron = self.env.ref("insurance_claim_callback.ir_cron_schedule_callbacks")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search_count([("cron_id", "=", cron.id)])
        claim = self._claim()
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before)
        claim.write({"stage_id": self.stage_done.id})
        self.assertEqual(Trigger.search_count([("cron_id", "=", cron.id)]), before + 1)

    def test_callback_carries_claim_data(self):
        claim = self._closed_claims(1, claim_number="CLM-DATA-1", policy_number="POL-9", claim_amount=5000, paid_amount=4200)
        self._schedule(claim)
        callback = claim.callback_ids
        self.assertEqual(
            (callback.claim_number, callback.policy_number, callback.paid_amount, callback.partner_id, callback.team_id),
            ("CLM-DATA-1", "POL-9", 4200, self.customer, self.team),
        )
        self.assertIn("CLM-DATA-1", callback.display_name)
        self.assertEqual(claim.callback_count, 1)
        action = claim.action_view_callbacks()
        self.assertEqual(self.env["claim.callback"].search(action["domain"]), callback)

    def test_register_attempt_and_result(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        callback = claim.callback_ids
        with freeze_time("2026-06-01 09:00:00"):
            attempt = callback.register_attempt("phone", "no_answer", duration=20)
        self.assertEqual(callback.state, "in_progress")
        self.assertEqual(str(callback.first_attempt_date), "2026-06-01 09:00:00")
        self.assertEqual(attempt.callback_id, callback)
        callback.register_result(5, nps=9, feedback="Fast and kind")
        self.assertEqual((callback.state, callback.satisfaction, claim.callback_status), ("done", 5, "satisfied"))
