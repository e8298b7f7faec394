from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestNothingShownThatFails(CallbackCase):
    """The callback screens offer a button, a tag's × or *New* only where the reader may use it,
    and a refusal says why in the reader's language."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(2)
        cls._schedule(claims)
        cls.mine, cls.colleagues = claims.callback_ids.sorted("id")
        cls.mine.user_id, cls.colleagues.user_id = cls.agent_1, cls.agent_2

    def _arch(self, user, view_type, view_ref=None):
        Callback = self.env["claim.callback"].with_user(user)
        view = Callback.get_views([(self.env.ref(view_ref).id if view_ref else False, view_type)])
        return etree.fromstring(view["views"][view_type]["arch"])

    def test_an_agent_cannot_start_logging_a_colleagues_call(self):
        colleagues = self.colleagues.with_user(self.agent_1)
        self.assertFalse(colleagues.can_work)
        self.assertTrue(self.mine.with_user(self.agent_1).can_work)
        self.assertTrue(colleagues.with_user(self.supervisor).can_work)
        # Refused when the dialog would open, with the reason, not after the call is filled in.
        with self.assertRaisesRegex(AccessError, "assigned to icc_agent_2"):
            colleagues.action_log_call()
        with self.assertRaisesRegex(AccessError, "assigned to icc_agent_2"):
            colleagues.action_quick_no_answer()
        self.assertFalse(self.colleagues.attempt_ids)

    def test_log_call_and_no_answer_are_hidden_where_the_user_cannot_work(self):
        views = {
            "form": self._arch(self.agent_1, "form"),
            "list": self._arch(self.agent_1, "list", "insurance_claim_callback.claim_callback_view_list_queue"),
        }
        buttons = [
            button
            for arch in views.values()
            for button in arch.iter("button")
            if button.get("name") in ("action_log_call", "action_quick_no_answer")
        ]
        self.assertEqual(len(buttons), 3)
        for button in buttons:
            self.assertIn("not can_work", button.get("invisible"), button.get("name"))

    def test_the_claim_opens_only_for_those_who_may_read_it(self):
        self.assertFalse(self.mine.with_user(self.agent_1).can_open_ticket)  # agents read, not change, the claim
        self.assertTrue(self.mine.with_user(self.supervisor).can_open_ticket)
        (button,) = self._arch(self.agent_1, "form").xpath("//button[@name='action_open_ticket']")
        self.assertEqual(button.get("invisible"), "not can_open_ticket")

    def test_no_new_where_callbacks_come_from_the_scheduler(self):
        refs = {
            "list": [
                "insurance_claim_callback.claim_callback_view_list",
                "insurance_claim_callback.claim_callback_view_list_queue",
                "insurance_claim_callback.claim_callback_view_list_sla_risk",
            ],
            "kanban": ["insurance_claim_callback.claim_callback_view_kanban"],
            "form": ["insurance_claim_callback.claim_callback_view_form"],
        }
        for user in (self.agent_1, self.supervisor, self.manager):
            for view_type, view_refs in refs.items():
                for ref in view_refs:
                    with self.subTest(user=user.login, view=ref):
                        self.assertIn(self._arch(user, view_type, ref).get("create"), ("0", "false", "False"))

    def test_feedback_issues_on_the_callback_are_not_editable_tags(self):
        fields = self._arch(self.supervisor, "form").xpath("//field[@name='feedback_ticket_ids']")
        self.assertTrue(fields)
        for field in fields:
            self.assertIn(field.get("readonly"), ("1", "True"))

    def test_the_claim_picker_offers_no_create(self):
        (field,) = self._arch(self.supervisor, "form").xpath("//field[@name='ticket_id']")
        self.assertIn("'no_create': True", field.get("options") or "")

    def test_claims_and_callbacks_are_found_by_claim_number_in_pickers(self):
        claim = self.mine.ticket_id
        found = self.env["helpdesk.ticket"].with_user(self.supervisor).name_search(claim.claim_number)
        self.assertEqual([claim.id], [record_id for record_id, _name in found])
        found = self.env["claim.callback"].with_user(self.agent_1).name_search(claim.claim_number)
        self.assertEqual([self.mine.id], [record_id for record_id, _name in found])

    def test_a_refused_field_is_named_in_the_readers_language(self):
        self._activate_languages("zh_TW")
        self.agent_1.lang = "zh_TW"
        label = self.env["claim.callback"]._fields["feedback_ticket_ids"]
        zh_label = label._description_string(self.env(context={"lang": "zh_TW"}))
        self.assertNotEqual(zh_label, "Feedback Issues")
        with self.assertRaises(AccessError) as refused:
            self.mine.with_user(self.agent_1).with_context(lang="zh_TW").write({"feedback_ticket_ids": [(5, 0, 0)]})
        self.assertIn(zh_label, str(refused.exception))
        self.assertNotIn("Feedback Issues", str(refused.exception))
