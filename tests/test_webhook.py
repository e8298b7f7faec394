import hashlib
import hmac
import json
import socketserver
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallbackCase

SECRET = "app-secret-123"


class FakeInsurerApp(ThreadingHTTPServer):
    """The insurer's app on 127.0.0.1: records every POST, answers `status[path]` (200)."""

    def __init__(self):
        self.requests, self.status = [], {}
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                app.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                self.send_response(app.status.get(self.path, 200))
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)

    def url(self, path):
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


class SilentEndpoint(socketserver.ThreadingTCPServer):
    """Accepts each connection and closes it without a word: a network error for the client."""

    def __init__(self):
        self.connections = 0
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                server.connections += 1

        super().__init__(("127.0.0.1", 0), Handler)


@tagged("post_install", "-at_install")
class TestWebhook(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.app = FakeInsurerApp()
        threading.Thread(target=cls.app.serve_forever, daemon=True).start()
        cls.addClassCleanup(cls.app.server_close)
        cls.addClassCleanup(cls.app.shutdown)
        cls.customer_be = cls._brussels_customer(ref="CUST-778")
        cls.app_channel = cls.env.ref("insurance_claim_callback.claim_callback_channel_app")
        cls.wechat_channel = cls.env.ref("insurance_claim_callback.claim_callback_channel_wechat")

    def setUp(self):
        super().setUp()
        self.app.requests.clear()
        self.app.status.clear()

    def _configure(self, channel, path):
        channel.with_user(self.manager).write({"webhook_url": self.app.url(path), "webhook_secret": SECRET})

    def _exhausted(self, partner=None):
        claim = self._closed_claims(1, partner_id=(partner or self.customer_be).id)
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = self.agent_1
        with freeze_time("2026-11-26 10:00:00"):  # 11:00 in Brussels
            for _i in range(3):
                callback.with_user(self.agent_1).register_attempt("phone", "no_answer")
        return callback

    def _run_cron(self, at="2026-11-26 10:05:00"):
        cron = self.env.ref("insurance_claim_callback.ir_cron_send_fallback")
        with freeze_time(at), self.enter_registry_test_mode():
            cron.method_direct_trigger()

    def _attempts(self, callback, channel):
        return callback.attempt_ids.filtered(lambda a: a.channel == channel)

    def test_signed_message_with_the_questionnaire_link_once_per_callback(self):
        self._configure(self.app_channel, "/app")
        first, second = self._exhausted(), self._exhausted()
        self._run_cron()
        self._run_cron("2026-11-26 10:30:00")  # a rerun sends nothing again
        self.assertEqual(len(self.app.requests), 2)
        payloads = {}
        for request in self.app.requests:
            self.assertEqual(request["path"], "/app")
            self.assertEqual(request["headers"]["Content-Type"], "application/json")
            expected = hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
            self.assertEqual(request["headers"]["X-Claim-Callback-Signature"], f"sha256={expected}")
            payload = json.loads(request["body"])
            payloads[payload["callback_id"]] = payload
        self.assertEqual(set(payloads), {first.id, second.id})
        payload = payloads[first.id]
        self.assertEqual(payload["claim_number"], first.claim_number)
        self.assertEqual(payload["partner_id"], self.customer_be.id)
        self.assertEqual(payload["partner_ref"], "CUST-778")
        self.assertEqual(payload["channel"], "app")
        self.assertEqual(payload["questionnaire_url"], first._get_survey_url())
        self.assertIn(first._get_survey_url(), payload["message"])
        self.assertIn(first.claim_number, payload["message"])
        for callback in first | second:
            self.assertEqual(self._attempts(callback, "app").mapped("outcome"), ["message_sent"])
            self.assertEqual(len(self._attempts(callback, "sms")), 1, "SMS and e-mail go out as before")
            self.assertFalse(self._attempts(callback, "wechat"), "WeChat has no webhook")

    def test_failed_post_logs_message_failed_and_the_rest_goes_out(self):
        self._configure(self.app_channel, "/app")
        self._configure(self.wechat_channel, "/wechat")
        self.app.status["/wechat"] = 500
        callback = self._exhausted()
        with mute_logger("odoo.addons.insurance_claim_callback.models.claim_callback_channel"):
            self._run_cron()
            self._run_cron("2026-11-26 10:30:00")
        self.assertEqual(sorted(r["path"] for r in self.app.requests), ["/app", "/wechat"], "no retry")
        self.assertEqual(self._attempts(callback, "wechat").mapped("outcome"), ["message_failed"])
        self.assertEqual(self._attempts(callback, "app").mapped("outcome"), ["message_sent"])
        self.assertEqual(self._attempts(callback, "email").mapped("outcome"), ["message_sent"])
        self.assertTrue(callback.fallback_sent_date)

    def test_unreachable_app_logs_message_failed(self):
        self._configure(self.app_channel, "/app")
        self.app_channel.webhook_url = "http://127.0.0.1:9/nobody-listens"
        callback = self._exhausted()
        with mute_logger("odoo.addons.insurance_claim_callback.models.claim_callback"):
            self._run_cron()
        self.assertEqual(self._attempts(callback, "app").mapped("outcome"), ["message_failed"])
        self.assertEqual(self._attempts(callback, "sms").mapped("outcome"), ["message_sent"])

    def test_endpoint_that_does_not_answer_is_tried_once_per_batch(self):
        silent = SilentEndpoint()
        threading.Thread(target=silent.serve_forever, daemon=True).start()
        self.addCleanup(silent.server_close)
        self.addCleanup(silent.shutdown)
        self._configure(self.app_channel, "/app")
        self.app_channel.webhook_url = f"http://127.0.0.1:{silent.server_address[1]}/app"
        callbacks = self._exhausted() | self._exhausted() | self._exhausted()
        with mute_logger("odoo.addons.insurance_claim_callback.models.claim_callback"):
            self._run_cron()
        self.assertEqual(silent.connections, 1, "one connection, not one per callback")
        attempts = callbacks.attempt_ids.filtered(lambda a: a.channel == "app").sorted("id")
        self.assertEqual(attempts.mapped("outcome"), ["message_failed"] * 3)
        self.assertEqual(attempts.mapped("not_sent"), [False, True, True], "a flag, not a sentence in one language")
        self.assertFalse(any(attempts.mapped("note")))
        self.assertEqual(set(callbacks.attempt_ids.filtered(lambda a: a.channel == "sms").mapped("outcome")), {"message_sent"})

    def test_no_webhook_sends_nothing_to_the_app(self):
        callback = self._exhausted()
        self._run_cron()
        self.assertFalse(self.app.requests)
        self.assertEqual(sorted(callback.attempt_ids.filtered(lambda a: a.channel != "phone").mapped("channel")),
                         ["email", "sms"])

    def test_consent_refused_sends_nothing(self):
        self._configure(self.app_channel, "/app")
        callback = self._exhausted()
        self.customer_be.callback_consent = "refused"
        self._run_cron()
        with freeze_time("2026-11-26 10:05:00"):
            callback._send_fallback()  # even when asked directly
        self.assertFalse(self.app.requests)
        self.assertFalse(self._attempts(callback, "app"))
        self.assertEqual(callback.state, "unreachable")

    def test_webhook_only_on_app_channels_with_url_and_secret(self):
        sms = self.env.ref("insurance_claim_callback.claim_callback_channel_sms")
        with self.assertRaises(ValidationError):
            sms.with_user(self.manager).write({"webhook_url": self.app.url("/sms"), "webhook_secret": SECRET})
        with self.assertRaises(ValidationError):
            self.app_channel.with_user(self.manager).write({"webhook_url": self.app.url("/app")})
        with self.assertRaises(ValidationError):
            self.app_channel.with_user(self.manager).write({"webhook_url": "ftp://example.com/x", "webhook_secret": SECRET})

    def test_webhook_settings_for_managers_only(self):
        self._configure(self.app_channel, "/app")
        self.assertEqual(self.app_channel.with_user(self.manager).webhook_secret, SECRET)
        for user in (self.agent_1, self.supervisor):
            with self.assertRaises(AccessError):
                self.app_channel.with_user(user).read(["webhook_secret"])
            self.assertNotIn("webhook_url", self.app_channel.with_user(user).fields_get())
