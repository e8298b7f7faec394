from odoo.tests import HttpCase, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestAgentTour(CallbackCase, HttpCase):
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
