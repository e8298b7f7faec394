from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, tagged
from odoo.tools.convert import convert_file

MODULE = "insurance_claim_callback"


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    """The demo history (three months made by the service methods) is complete and consistent.

    Tests run on a database without demo data: the demo files are loaded here as the installer
    would load them, their last one calling `claim.callback._demo_generate_history`."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for filename in get_manifest(MODULE)["demo"]:
            convert_file(cls.env, MODULE, filename, {}, mode="init")
        cls.claims = cls.env["helpdesk.ticket"].search([("claim_number", "=like", "CLM-DEMO-%")])
        cls.callbacks = cls.claims.callback_ids

    def test_claims_in_every_category_over_three_months(self):
        closed = self.claims.filtered("closed_date")
        self.assertGreaterEqual(len(closed), 60)
        self.assertEqual(set(closed.claim_category_id.mapped("code")), {"major", "routine", "special"})
        months = {d.strftime("%Y-%m") for d in closed.mapped("closed_date")}
        self.assertGreaterEqual(len(months), 3)
        self.assertGreaterEqual(len(self.callbacks.team_id), 2)
        self.assertGreaterEqual(len(self.callbacks.user_id), 3)
        self.assertIn("opted_out", self.claims.mapped("callback_status"))

    def test_every_state_channel_and_sla_status(self):
        self.assertEqual(
            set(self.callbacks.mapped("state")), {"scheduled", "in_progress", "done", "unreachable", "cancelled"}
        )
        attempts = self.callbacks.attempt_ids
        self.assertTrue({"phone", "sms", "email"} <= set(attempts.mapped("channel")))
        self.assertTrue({"reached", "no_answer", "busy", "message_sent"} <= set(attempts.mapped("outcome")))
        statuses = set(self.callbacks.mapped("sla_first_contact_status")) | set(
            self.callbacks.mapped("sla_completion_status")
        )
        self.assertEqual(statuses, {"on_track", "at_risk", "breached", "met", "missed"})
        self.assertTrue(self.callbacks.filtered("sla_paused_since"), "a callback waits for the customer's time")

    def test_dates_are_in_the_past_and_in_order(self):
        now = self.env.cr.now()
        for callback in self.callbacks:
            claim_closed = callback.ticket_id.closed_date
            self.assertGreaterEqual(callback.sla_start_date, claim_closed)
            for attempt in callback.attempt_ids:
                self.assertTrue(callback.sla_start_date <= attempt.date <= now, callback.display_name)
            if callback.completed_date:
                self.assertTrue(callback.sla_start_date <= callback.completed_date <= now)
                met = callback.completed_date <= callback.sla_completion_deadline
                self.assertEqual(callback.sla_completion_status, "met" if met else "missed", callback.display_name)
            if callback.first_attempt_date and callback.sla_first_contact_status in ("met", "missed"):
                met = callback.first_attempt_date <= callback.sla_first_contact_deadline
                self.assertEqual(callback.sla_first_contact_status, "met" if met else "missed")

    def test_results_issues_chain_and_points(self):
        done = self.callbacks.filtered(lambda c: c.state == "done")
        self.assertEqual(set(done.mapped("satisfaction")), {1, 2, 3, 4, 5})
        self.assertTrue(done.filtered(lambda c: c.nps >= 9) and done.filtered(lambda c: c.nps <= 6))
        feedback = done.filtered("feedback").mapped("feedback")
        self.assertTrue(any(text.isascii() for text in feedback), "English feedback")
        self.assertTrue(any("理賠" in text for text in feedback), "Chinese (zh_TW) feedback")
        issues = self.callbacks.feedback_ticket_ids
        self.assertTrue(issues.filtered("is_complaint"))
        resolved = issues.filtered("closed_date")
        hours = [(i.closed_date - i.create_date).total_seconds() / 3600 for i in resolved]
        self.assertTrue(any(h <= 48 for h in hours) and any(h > 48 for h in hours))
        self.assertTrue(issues - resolved, "some issues are still open")
        self.assertTrue(self.callbacks.filtered(lambda c: c.sequence == 2 and c.parent_id))
        entries = self.env["claim.reward.entry"].search([("partner_id", "in", self.claims.partner_id.ids)])
        self.assertEqual(set(entries.mapped("kind")), {"earn", "redeem"})
        self.assertTrue(all(e.date <= self.env.cr.now() for e in entries))

    def test_kpi_snapshots_of_three_months(self):
        kpis = self.env["claim.callback.kpi"].search([("company_id", "=", self.env.company.id)], order="month")
        self.assertGreaterEqual(len(kpis), 3)
        for kpi in kpis[:3]:
            self.assertGreater(kpi.claims_closed, 10, kpi.display_name)
            self.assertGreater(kpi.contactable_claims, 0)
            self.assertGreater(kpi.rated_callbacks, 0)
            self.assertGreater(kpi.issues_opened, 0)
            self.assertGreater(kpi.coverage_72h, 0)
            self.assertGreater(kpi.satisfaction_rate, 0)
            self.assertGreater(kpi.cost_total, 0)

    def test_generating_again_adds_nothing(self):
        count = self.env["helpdesk.ticket"].search_count([])
        self.assertFalse(self.env["claim.callback"]._demo_generate_history())
        self.assertEqual(self.env["helpdesk.ticket"].search_count([]), count)
