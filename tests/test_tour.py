from odoo.tests import HttpCase, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestTours(CallbackCase, HttpCase):
    """The agent's and the supervisor's daily paths, in a real browser."""

    def test_agent_logs_an_attempt_and_records_the_outcome_in_the_browser(self):
        claim = self._closed_claims(1, claim_number="CLM-TOUR-0001")
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = self.agent_1
        self.agent_1.odoobot_state = "disabled"  # a first login would open OdooBot's chat in Discuss instead

        self.start_tour("/odoo", "insurance_claim_callback_agent_outcome", login=self.agent_1.login)

        self.assertEqual(callback.state, "done")
        self.assertEqual(callback.satisfaction, 5)
        self.assertEqual(callback.sentiment, "positive")
        self.assertEqual(callback.attempt_ids.mapped("outcome"), ["no_answer"])
        self.assertEqual(callback.attempt_ids.user_id, self.agent_1)

    def test_supervisor_finds_breached_work_in_the_sla_risk_view(self):
        claim = self._closed_claims(1, claim_number="CLM-TOUR-RISK")
        self._schedule(claim)
        claim.callback_ids.write({"user_id": self.agent_1.id, "sla_completion_status": "breached"})
        self.supervisor.odoobot_state = "disabled"
        self.start_tour("/odoo", "insurance_claim_callback_supervisor_sla_risk", login=self.supervisor.login)
