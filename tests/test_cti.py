import json
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestTelephony(CallbackCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the telephony system's user: a team agent that takes no callbacks itself
        cls.cti_user = cls._user("icc_cti", "insurance_claim_callback.group_callback_integration", callback_capacity=0)
        cls.team.user_ids = [Command.link(cls.cti_user.id)]
        cls.key = cls.env["res.users.apikeys"].with_user(cls.cti_user)._generate(
            None, "CTI", fields.Datetime.now() + timedelta(days=30)
        )
        claim = cls._closed_claims(1)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", claim.id)])
        cls.callback = claim.callback_ids
        cls.callback.user_id = cls.agent_1

    def _post(self, path, body, key=None):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname}
        headers["Authorization"] = f"bearer {key or self.key}"
        data = body if isinstance(body, str) else json.dumps(body)
        return self.url_open(path, data=data, headers=headers)

    def test_json2_register_attempt_with_api_key(self):
        response = self._post(
            "/json/2/claim.callback/register_attempt",
            {"ids": [self.callback.id], "channel": "phone", "outcome": "no_answer", "duration": 15},
        )
        self.assertEqual(response.status_code, 200, response.text)
        attempt = self.callback.attempt_ids
        self.assertEqual(response.json(), attempt.ids)
        self.assertEqual((attempt.outcome, attempt.duration, attempt.user_id), ("no_answer", 15, self.cti_user))
        self.assertEqual(self.callback.state, "in_progress")

    def test_json2_bad_outcome_and_wrong_key(self):
        response = self._post(
            "/json/2/claim.callback/register_attempt",
            {"ids": [self.callback.id], "channel": "phone", "outcome": "sleeping"},
        )
        self.assertEqual(response.status_code, 422, response.text)
        response = self._post(
            "/json/2/claim.callback/register_attempt",
            {"ids": [self.callback.id], "channel": "phone", "outcome": "busy"},
            key="0" * 40,
        )
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self.callback.attempt_ids)

    def test_webhook_maps_vendor_payload_and_ignores_duplicates(self):
        body = {"call_id": "C-1", "callback_id": self.callback.id, "result": "BUSY", "duration": 0}
        first = self._post("/claim_callback/cti/generic", body)
        self.assertEqual(first.status_code, 201, first.text)
        self.assertEqual(self.callback.attempt_ids.outcome, "busy")
        again = self._post("/claim_callback/cti/generic", body)
        self.assertEqual(again.status_code, 200)
        self.assertEqual(again.json(), {"attempt_id": first.json()["attempt_id"], "duplicate": True})
        self.assertEqual(len(self.callback.attempt_ids), 1, "nothing written twice")

    def test_plain_agent_key_cannot_use_the_webhook(self):
        # neither for a colleague's callback nor for their own: call ids are the telephony system's
        for agent in (self.agent_2, self.agent_1):
            key = self.env["res.users.apikeys"].with_user(agent)._generate(
                None, "agent", fields.Datetime.now() + timedelta(days=1)
            )
            body = {"call_id": "C-9", "callback_id": self.callback.id, "result": "BUSY", "duration": 0}
            self.assertEqual(self._post("/claim_callback/cti/generic", body, key=key).status_code, 403)
        self.assertFalse(self.callback.attempt_ids)

    def test_webhook_rejects_bad_requests(self):
        ok = {"call_id": "C-2", "callback_id": self.callback.id, "result": "ANSWERED", "duration": 60}
        cases = [
            ("{not json", None, 400),
            ({**ok, "callback_id": 999999999}, None, 404),
            ({**ok, "result": "EXPLODED"}, None, 422),
            (ok, "f" * 40, 401),
        ]
        for body, key, status in cases:
            response = self._post("/claim_callback/cti/generic", body, key=key)
            self.assertEqual(response.status_code, status, f"{body}: {response.text}")
        self.assertEqual(self._post("/claim_callback/cti/nobody", ok).status_code, 404)
        self.assertFalse(self.callback.attempt_ids)
        self.callback.action_cancel()
        response = self._post("/claim_callback/cti/generic", ok)
        self.assertEqual(response.status_code, 409)
        self.assertIn("error", response.json())
        self.assertFalse(self.callback.attempt_ids)
