from datetime import datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged

from ..models.claim_callback import mask_phone
from .common import CallbackCase

# 2026-11-26 14:30 UTC = 22:30 in Taipei (UTC+8), 15:30 in Brussels (UTC+1)
AFTERNOON_UTC = "2026-11-26 14:30:00"


@tagged("post_install", "-at_install")
class TestContactAttempts(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer.tz = "Asia/Taipei"
        cls.customer_be = cls._brussels_customer()
        cls.phone = cls.env.ref("insurance_claim_callback.claim_callback_channel_phone")

    def _callback(self, partner=None, agent=None):
        claim = self._closed_claims(1, partner_id=(partner or self.customer).id)
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = agent or self.agent_1
        return callback

    @freeze_time(AFTERNOON_UTC)
    def test_retry_planned_in_each_customer_time_zone(self):
        taipei, brussels = self._callback(), self._callback(self.customer_be)
        late = taipei.with_user(self.agent_1).register_attempt("phone", "no_answer", duration=20)
        ok = brussels.with_user(self.agent_1).register_attempt("phone", "busy")
        self.assertTrue(late.outside_window, "22:30 in Taipei is outside 09:00-20:00")
        self.assertFalse(ok.outside_window, "15:30 in Brussels is inside the window")
        # Taipei: retry at 00:30 local -> 09:00 local next day = 01:00 UTC
        self.assertEqual(taipei.next_attempt_date, datetime(2026, 11, 27, 1, 0))
        # Brussels: retry 2 h later, 17:30 local, inside the window
        self.assertEqual(brussels.next_attempt_date, datetime(2026, 11, 26, 16, 30))

    def test_attempt_planned_at_23h_moves_to_9h_next_day(self):
        # 15:00 UTC = 23:00 Taipei
        self.assertEqual(self.phone._next_in_window(datetime(2026, 11, 26, 15, 0), "Asia/Taipei"),
                         datetime(2026, 11, 27, 1, 0))
        # 22:00 UTC = 23:00 Brussels
        self.assertEqual(self.phone._next_in_window(datetime(2026, 11, 26, 22, 0), "Europe/Brussels"),
                         datetime(2026, 11, 27, 8, 0))
        # 07:00 Brussels -> 09:00 the same day
        self.assertEqual(self.phone._next_in_window(datetime(2026, 11, 26, 6, 0), "Europe/Brussels"),
                         datetime(2026, 11, 26, 8, 0))

    @freeze_time(AFTERNOON_UTC)
    def test_agent_gets_a_warning_outside_the_window(self):
        callback = self._callback()
        action = callback.with_user(self.agent_1).with_context(attempt_outcome="no_answer").action_log_attempt()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("10:30 PM", action["params"]["message"])  # the reader's time format (en_US)
        inside = self._callback(self.customer_be)
        self.assertTrue(inside.with_user(self.agent_1).with_context(attempt_outcome="busy").action_log_attempt())

    @freeze_time(AFTERNOON_UTC)
    def test_attempt_stores_cost_and_first_attempt_date(self):
        self.phone.unit_cost = 0.75
        callback = self._callback(self.customer_be)
        attempt = callback.with_user(self.agent_1).register_attempt("phone", "reached", duration=120, note="ok")
        self.assertEqual(attempt.cost, 0.75)
        self.assertEqual(callback.first_attempt_date, datetime(2026, 11, 26, 14, 30))
        self.assertEqual(callback.state, "in_progress")
        self.phone.unit_cost = 1.0
        self.assertEqual(attempt.cost, 0.75, "the cost is frozen on the attempt")

    def test_bad_attempt_input_is_refused_and_writes_nothing(self):
        callback = self._callback()
        Callback = callback.with_user(self.agent_1)
        with self.assertRaises(ValidationError):
            Callback.register_attempt("fax", "no_answer")
        with self.assertRaises(ValidationError):
            Callback.register_attempt("phone", "maybe")
        with self.assertRaises(ValidationError):
            Callback.register_attempt("phone", "reached", duration=-5)
        self.assertFalse(callback.attempt_ids)
        callback.action_cancel()
        with self.assertRaises(UserError):
            Callback.register_attempt("phone", "reached")
        self.assertFalse(callback.attempt_ids)

    def test_only_the_assigned_agent_logs_attempts(self):
        callback = self._callback()
        with self.assertRaises(AccessError):
            callback.with_user(self.agent_other_team).register_attempt("phone", "no_answer")
        with self.assertRaises(AccessError):
            callback.with_user(self.agent_2).register_attempt("phone", "no_answer")
        self.assertFalse(callback.attempt_ids)
        attempt = callback.with_user(self.agent_1).register_attempt("phone", "reached")
        self.assertEqual(attempt.user_id, self.agent_1)

    def test_blacklisted_phone_is_never_called(self):
        callback = self._callback(self.customer_be)
        self.env["phone.blacklist"].add(self.customer_be.phone_sanitized)
        with self.assertRaises(UserError):
            callback.with_user(self.agent_1).register_attempt("phone", "no_answer")
        with self.assertRaises(UserError):
            callback.with_user(self.agent_1).register_attempt("sms", "message_sent")
        self.assertTrue(callback.with_user(self.agent_1).register_attempt("email", "message_sent"))
        self.assertEqual(callback.ticket_id.callback_status, "pending", "e-mail is still allowed")

    def test_customer_opted_out_of_every_channel(self):
        claim = self._closed_claims(1, partner_id=self.customer_be.id)
        self.customer_be.callback_consent = "refused"
        self.assertEqual(claim.callback_status, "opted_out")
        self.assertEqual(self._schedule(claim), 0, "no callback for a customer who refused")
        self.assertFalse(claim.callback_ids)
        self.customer_be.callback_consent = "granted"
        self.assertEqual(claim.callback_status, "none")
        # blacklisted on phone and e-mail = every channel
        self.env["phone.blacklist"].add(self.customer_be.phone_sanitized)
        self.assertEqual(claim.callback_status, "none")
        self.env["mail.blacklist"]._add(self.customer_be.email)
        self.assertEqual(claim.callback_status, "opted_out")
        self.env["mail.blacklist"]._remove(self.customer_be.email)
        self.assertEqual(claim.callback_status, "none")

    def test_blacklist_entry_edited_or_deleted_frees_the_old_address(self):
        claim = self._closed_claims(1, partner_id=self.customer_be.id)
        phone = self.env["phone.blacklist"].sudo().create({"number": self.customer_be.phone_sanitized})
        mail = self.env["mail.blacklist"].sudo().create({"email": self.customer_be.email})
        self.assertEqual(claim.callback_status, "opted_out")
        mail.email = "someone.else@example.com"
        self.assertEqual(claim.callback_status, "none", "the customer's address is no longer blacklisted")
        mail.email = self.customer_be.email
        self.assertEqual(claim.callback_status, "opted_out")
        mail.unlink()
        self.assertEqual(claim.callback_status, "none")
        self.env["mail.blacklist"].sudo().create({"email": self.customer_be.email})
        phone.number = "+32470000000"
        self.assertEqual(claim.callback_status, "none")
        self.env["phone.blacklist"].sudo().create({"number": self.customer_be.phone_sanitized})
        self.assertEqual(claim.callback_status, "opted_out")
        self.env["phone.blacklist"].sudo().search([("number", "=", self.customer_be.phone_sanitized)]).unlink()
        self.assertEqual(claim.callback_status, "none")

    def test_agent_sets_do_not_contact_on_the_partner(self):
        with Form(self.customer_be) as form:
            form.callback_consent = "refused"
        self.assertTrue(self.customer_be.callback_opted_out)

    def test_phone_masked_for_agents_it_is_not_assigned_to(self):
        callback = self._callback(agent=self.agent_1)
        for user, shown, link in (
            (self.agent_1, "+886 2 2345 6789", "tel:+886223456789"),
            (self.supervisor, "+886 2 2345 6789", "tel:+886223456789"),
            (self.agent_2, "+886 • •••• ••89", False),
        ):
            with self.subTest(user=user.login):
                mine = callback.with_user(user)
                self.assertEqual((mine.partner_phone_formatted, mine.partner_phone_link), (shown, link))
                self.assertEqual(mine.partner_phone_masked, not link)
        self.assertNotIn("partner_phone", callback._fields, "no readable copy of the full number on the callback")
        callback.user_id = self.agent_2
        self.assertEqual(callback.with_user(self.agent_2).partner_phone_formatted, "+886 2 2345 6789")
        self.assertEqual(mask_phone("0912 345 678"), "•••• ••• •78")

    def test_phone_formatted_with_click_to_dial_link(self):
        callback = self._callback()
        self.assertEqual(callback.partner_phone_link, "tel:+886223456789")
        self.assertEqual(callback.partner_phone_formatted, "+886 2 2345 6789")
        arch = callback.with_user(self.agent_1).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('widget="phone"', arch)
        self.assertIn("action_log_call", arch)
