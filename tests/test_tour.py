from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..lib import sentiment
from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestTours(CallbackCase, HttpCase):
    """The agent's, the supervisor's and the manager's daily paths, in a real browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Calls allowed all day: the tours run at any hour, and the queue lists a callback under Call Now
        # only while the customer's calling window is open.
        cls.env["claim.callback.channel"].create(
            {"name": "Phone", "code": "phone", "company_id": cls.company.id, "window_start": 0, "window_end": 24}
        )

    def _callback(self, claim_number, agent):
        claim = self._closed_claims(1, claim_number=claim_number)
        self._schedule(claim)
        claim.callback_ids.user_id = agent
        return claim.callback_ids

    def test_agent_day_no_answer_call_back_later_reached_outcome_in_the_browser(self):
        callback = self._callback("CLM-TOUR-0001", self.agent_1)
        # Not contacted 5 h after its first-contact deadline: the SLA cron marked it breached.
        callback.write({
            "sla_first_contact_deadline": fields.Datetime.now() - timedelta(hours=5, minutes=10),
            "sla_first_contact_status": "breached",
        })
        self.agent_1.odoobot_state = "disabled"  # a first login would open OdooBot's chat in Discuss instead
        sentiment.analyze(["Quick help, thank you."])  # trained once per process: not inside a tour step

        self.start_tour("/odoo", "insurance_claim_callback_agent_day", login=self.agent_1.login)

        self.assertEqual(callback.state, "done")
        self.assertEqual((callback.satisfaction, callback.nps), (5, 9))
        self.assertIn("Was the payment made on time?: Yes", callback.answers)  # one click, stored by its label
        self.assertEqual(callback.sentiment, "positive")
        self.assertEqual(
            callback.attempt_ids.sorted("id").mapped("outcome"), ["no_answer", "call_back_later", "reached"]
        )
        self.assertEqual(callback.attempt_ids.user_id, self.agent_1)
        # Paused by the call-back-later (the tour's steps may fall within one second: no paused hours to compare),
        # resumed when the customer was reached.
        self.assertTrue(any("SLA paused until then" in (m.body or "") for m in callback.message_ids))
        self.assertFalse(callback.sla_paused_since)
        self.assertEqual(len(callback.message_ids.filtered(lambda m: "Call logged" in (m.body or ""))), 3)

    def test_agent_lands_on_the_queue_after_login(self):
        self._callback("CLM-TOUR-HOME", self.agent_1)
        self.agent_1.odoobot_state = "disabled"
        self.start_tour("/odoo", "insurance_claim_callback_agent_lands_on_queue", login=self.agent_1.login)

    def test_supervisor_finds_breached_work_in_the_sla_risk_view(self):
        callback = self._callback("CLM-TOUR-RISK", self.agent_1)
        callback.write({"sla_completion_status": "breached"})
        self.supervisor.odoobot_state = "disabled"
        self.start_tour("/odoo", "insurance_claim_callback_supervisor_sla_risk", login=self.supervisor.login)

    def test_supervisor_reassigns_several_callbacks_at_once(self):
        callbacks = self._callback("CLM-TOUR-R1", self.agent_1) | self._callback("CLM-TOUR-R2", self.agent_1)
        self.supervisor.odoobot_state = "disabled"
        self.start_tour("/odoo", "insurance_claim_callback_supervisor_reassign", login=self.supervisor.login)
        self.assertEqual(callbacks.user_id, self.agent_2)

    def test_manager_computes_this_month_and_prints_the_pdf_in_zh_tw(self):
        self._activate_languages("zh_TW")
        self.manager.write({"lang": "zh_TW", "odoobot_state": "disabled"})
        self._callback("CLM-TOUR-KPI", self.agent_1)
        self.start_tour("/odoo", "insurance_claim_callback_manager_month_zh_tw", login=self.manager.login)
        kpi = self.env["claim.callback.kpi"].search([("company_id", "=", self.env.company.id)])
        self.assertEqual(len(kpi), 1)
        self.assertEqual(kpi.claims_closed, 1)
