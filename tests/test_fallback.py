import re
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.sms.tests.common import MockSMS

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestFallback(CallbackCase, MockSMS):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.tz = "Asia/Taipei"
        cls.customer_be = cls._brussels_customer()

    def _exhausted(self, partner, at="2026-11-26 10:00:00"):
        claim = self._closed_claims(1, partner_id=partner.id)
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = self.agent_1
        with freeze_time(at):
            for _i in range(3):
                callback.with_user(self.agent_1).register_attempt("phone", "no_answer")
        return callback

    def _run(self, callbacks, at):
        with freeze_time(at):
            return self.env["claim.callback"]._send_fallback_batch(domain=[("id", "in", callbacks.ids)])

    def _sms(self, partner):
        return self.env["sms.sms"].search([("partner_id", "=", partner.id)])

    def _mails(self, callback):
        return self.env["mail.mail"].search([("model", "=", "claim.callback"), ("res_id", "=", callback.id)])

    def test_fallback_sent_once_after_max_phone_attempts(self):
        callback = self._exhausted(self.customer_be)  # 11:00 in Brussels
        self.assertEqual(callback.fallback_date, datetime(2026, 11, 26, 10, 0))
        self.assertFalse(callback.next_attempt_date, "no phone retry after the last attempt")
        self.assertEqual(self._run(callback, "2026-11-26 10:05:00"), (1, 0))
        sms, mails = self._sms(self.customer_be), self._mails(callback)
        self.assertEqual(len(sms), 1)
        self.assertEqual(sms.number, "+32470123456")
        self.assertEqual(len(mails), 1)
        link = re.search(r"/claim_callback/survey/\d+/\d+/\w+", sms.body).group(0)
        self.assertIn(link, mails.body_html)
        self.assertEqual(
            sorted(callback.attempt_ids.filtered(lambda a: a.channel != "phone").mapped("channel")), ["email", "sms"]
        )
        self.assertEqual(set(callback.attempt_ids.filtered(lambda a: a.channel != "phone").mapped("outcome")), {"message_sent"})
        self.assertEqual(callback.survey_expiry_date, datetime(2026, 12, 3, 10, 5))
        # rerun: nothing is sent twice
        self.assertEqual(self._run(callback, "2026-11-26 10:30:00"), (0, 0))
        self.assertEqual(len(self._sms(self.customer_be)), 1)
        self.assertEqual(len(self._mails(callback)), 1)

    def test_fallback_sms_goes_through_the_sms_gateway(self):
        callback = self._exhausted(self.customer_be)
        self._run(callback, "2026-11-26 10:05:00")
        sms = self._sms(self.customer_be)
        with self.mockSMSGateway():
            sms._send()
        self.assertEqual([s["number"] for s in self._sms], ["+32470123456"])
        self.assertIn("/claim_callback/survey/", self._sms[0]["body"])

    def test_fallback_never_outside_the_window(self):
        # exhausted at 12:30 UTC = 20:30 in Taipei: the window is closed
        callback = self._exhausted(self.customer, at="2026-11-26 12:30:00")
        self.assertEqual(callback.fallback_date, datetime(2026, 11, 27, 1, 0), "next 09:00 in Taipei")
        self.assertEqual(self._run(callback, "2026-11-26 13:00:00"), (0, 0), "not due yet")
        # the cron was late: now 23:00 UTC = 07:00 in Taipei, still closed
        callback.fallback_date = datetime(2026, 11, 26, 23, 0)
        self._run(callback, "2026-11-26 23:00:00")
        self.assertFalse(self._sms(self.customer))
        self.assertFalse(callback.fallback_sent_date)
        self.assertEqual(callback.fallback_date, datetime(2026, 11, 27, 1, 0))
        self._run(callback, "2026-11-27 01:00:00")
        self.assertEqual(len(self._sms(self.customer)), 1)

    def test_blacklisted_sms_gets_only_the_email(self):
        callback = self._exhausted(self.customer_be)
        self.env["phone.blacklist"].sudo().create({"number": self.customer_be.phone_sanitized})
        self._run(callback, "2026-11-26 10:05:00")
        self.assertFalse(self._sms(self.customer_be))
        self.assertEqual(len(self._mails(callback)), 1)

    def test_unreachable_when_every_channel_is_exhausted(self):
        callback = self._exhausted(self.customer_be)
        self._run(callback, "2026-11-26 10:05:00")
        with freeze_time("2026-12-01 10:00:00"):
            self.assertEqual(self.env["claim.callback"]._expire_fallback_batch(), 0, "link still valid")
        with freeze_time("2026-12-03 10:06:00"):
            self.assertEqual(self.env["claim.callback"]._expire_fallback_batch(), 1)
        self.assertEqual(callback.state, "unreachable")
        # the first attempt froze the first-contact target; the completion target is missed, not left running
        self.assertIn(callback.sla_first_contact_status, ("met", "missed"))
        self.assertEqual(callback.sla_completion_status, "missed")

    def test_unreachable_at_once_without_any_message_channel(self):
        partner = self.env["res.partner"].create({"name": "Phone only", "phone": "+32 470 99 88 77", "tz": "Europe/Brussels"})
        callback = self._exhausted(partner)
        self.env["phone.blacklist"].sudo().create({"number": partner.phone_sanitized})
        self._run(callback, "2026-11-26 10:05:00")
        self.assertEqual(callback.state, "unreachable")
        self.assertEqual(callback.sla_completion_status, "missed")
        never_tried = self._closed_claims(1, partner_id=partner.id)
        self._schedule(never_tried)
        never_tried.callback_ids._set_unreachable()
        self.assertEqual(
            (never_tried.callback_ids.sla_first_contact_status, never_tried.callback_ids.sla_completion_status),
            ("missed", "missed"),
        )

    def test_cron_sends_the_fallback(self):
        callback = self._exhausted(self.customer_be)
        cron = self.env.ref("insurance_claim_callback.ir_cron_send_fallback")
        with freeze_time("2026-11-26 10:05:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.assertTrue(callback.fallback_sent_date)
        self.assertEqual(len(self._sms(self.customer_be)), 1)
