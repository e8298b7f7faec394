from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_risk_warning import RiskCase


@tagged("post_install", "-at_install")
class TestRiskWarningActions(RiskCase):
    """A supervisor can act on every warning: it links to what it counts, offers the follow-up of its kind,
    and a customer at risk opens as soon as a result or a complaint makes them so."""

    def _records(self, action):
        return self.env[action["res_model"]].search(action["domain"])

    def _complaint(self, partner=None, **vals):
        return self.env["helpdesk.ticket"].create({
            "name": "Complaint", "description": "Unhappy", "is_complaint": True,
            "partner_id": (partner or self.customer).id, "team_id": self.team.id, **vals,
        })

    def _at_risk(self):
        return self.Warning.search([("kind", "=", "customer_at_risk")], order="id")

    # -- acknowledge -------------------------------------------------------------------

    def test_acknowledge_closes_the_todos_the_warning_gave(self):
        self._callback()
        self._callback()
        warning = self._check("capacity_shortage").with_user(self.supervisor)
        self.assertEqual(len(warning.activity_ids), 1)
        warning.action_acknowledge()
        self.assertFalse(warning.activity_ids, "the supervisor's to-do is done")
        done = self.env["mail.activity"].with_context(active_test=False).search(
            [("res_model", "=", warning._name), ("res_id", "=", warning.id)]
        )
        self.assertEqual((len(done), done.active), (1, False), "kept as done, not deleted")
        self.assertEqual(warning.state, "acknowledged")

    def test_a_resolved_warning_leaves_no_todo_open(self):
        first, _second = self._callback(), self._callback()
        warning = self._check("capacity_shortage")
        self.assertTrue(warning.activity_ids)
        first.action_cancel()
        self.assertEqual(self._check("capacity_shortage").state, "resolved")
        self.assertFalse(warning.activity_ids)

    # -- customers at risk: at once, with their reason -----------------------------------

    def test_a_low_result_opens_the_customer_warning_at_once(self):
        callback = self._callback(user_id=self.agent_1.id)
        callback.with_user(self.agent_1).register_result(2)
        warning = self._at_risk()
        self.assertEqual((len(warning), warning.partner_id, warning.state), (1, self.customer, "open"),
                         "opened by the result, before any hourly check")
        self.assertEqual(warning.customer_risk_reason, "low_satisfaction")
        self.assertIn("Latest callback: low satisfaction", warning.message)
        self.assertTrue(warning.activity_ids, "the team leader is told")
        self._check("customer_at_risk")
        self.assertEqual(self._at_risk(), warning, "the hourly check keeps it, opens no second one")

    def test_a_complaint_opens_the_customer_warning_at_once_and_its_closing_resolves_it(self):
        complaint = self._complaint()
        warning = self._at_risk()
        self.assertEqual((len(warning), warning.partner_id, warning.customer_risk_reason),
                         (1, self.customer, "open_complaint"))
        self._complaint()
        self.assertEqual(self._at_risk(), warning, "a second complaint: the same warning")
        self.assertEqual(warning.complaint_count, 2)
        other = self._brussels_customer()
        self._complaint(partner=other)
        self.assertEqual(self._at_risk().partner_id, self.customer | other, "each customer has their warning")
        (complaint | self.env["helpdesk.ticket"].search([("is_complaint", "=", True),
                                                          ("partner_id", "=", self.customer.id)])).stage_id = \
            self.stage_done
        self._check("customer_at_risk")
        self.assertEqual(warning.state, "resolved")
        self.assertEqual(self._at_risk().filtered(lambda w: w.state == "open").partner_id, other)

    def test_the_customer_warning_shows_its_reason_not_zero_figures(self):
        self._complaint()
        warning = self._at_risk().with_user(self.supervisor)
        form = warning.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("customer_risk_reason", form)
        self.assertIn("kind == 'customer_at_risk'", form, "value and threshold hidden for this kind")
        for lang, reason in (("zh_TW", "未結投訴"), ("en_US", "Open complaint")):
            if lang != "en_US":
                self._activate_languages(lang)
            with self.subTest(lang=lang):
                self.assertIn(reason, warning.with_context(lang=lang).message)

    # -- the follow-ups of each kind -------------------------------------------------------

    def test_customer_at_risk_opens_the_complaint_and_refuses_other_kinds_follow_ups(self):
        complaint = self._complaint()
        warning = self._at_risk().with_user(self.supervisor)
        action = warning.action_view_complaints()
        self.assertEqual((action["res_model"], action["res_id"]), ("helpdesk.ticket", complaint.id))
        with self.assertRaises(UserError):
            warning.action_reassign()
        with self.assertRaises(AccessError):
            warning.with_user(self.agent_1).action_view_complaints()

    def test_schedule_a_callback_to_the_customer_at_risk(self):
        first = self._callback(user_id=self.agent_1.id)
        first.with_user(self.agent_1).register_result(2)
        warning = self._at_risk().with_user(self.supervisor)
        chained = first.child_ids
        self.assertTrue(chained, "the closed loop already scheduled the next callback")
        action = warning.action_schedule_callback()
        self.assertEqual((action["res_model"], action["res_id"]), ("claim.callback", chained.id),
                         "an open callback of the claim: that one, no second")
        chained.action_cancel()
        action = warning.action_schedule_callback()
        scheduled = self.env["claim.callback"].browse(action["res_id"])
        self.assertEqual((scheduled.ticket_id, scheduled.partner_id, scheduled.state, scheduled.priority),
                         (first.ticket_id, self.customer, "scheduled", "2"))
        self.assertEqual((scheduled.parent_id, scheduled.sequence), (chained, 3), "the next of the chain")
        self.assertIn(scheduled.display_name, warning.message_ids[0].body)

    def test_schedule_a_callback_without_any_callback_says_why(self):
        self._complaint()
        with self.assertRaises(UserError):
            self._at_risk().with_user(self.supervisor).action_schedule_callback()

    def test_channel_failure_opens_its_failed_attempts(self):
        callback = self._callback()
        self._attempts(callback, 8, "message_sent", "sms")
        self._attempts(callback, 2, "message_failed", "sms")
        self._attempts(callback, 3, "message_failed", "email")
        warning = self._check("channel_failure").with_user(self.supervisor)
        self.assertEqual(self._records(warning.action_view_records()), callback.attempt_ids.filtered(
            lambda a: a.channel == "sms"), "what it counts: the channel's attempts of the day")
        failed = self._records(warning.action_view_failed_attempts())
        self.assertEqual((len(failed), set(failed.mapped("outcome")), set(failed.mapped("channel"))),
                         (2, {"message_failed"}, {"sms"}))

    def test_capacity_shortage_offers_reassignment_and_capacity(self):
        callbacks = self._callback() | self._callback()
        warning = self._check("capacity_shortage").with_user(self.supervisor)
        action = warning.action_reassign()
        self.assertEqual(self._records(action), callbacks)
        self.assertEqual(action["context"]["group_by"], ["user_id"])
        with self.assertRaises(AccessError):
            warning.action_raise_capacity()  # the supervisor does not administer users
        action = warning.with_user(self.env.ref("base.user_admin")).action_raise_capacity()
        self.assertEqual(self._records(action), self.agent_1 | self.agent_2 | self.supervisor,
                         "the team's callback agents (the leader is one, of capacity 0)")
