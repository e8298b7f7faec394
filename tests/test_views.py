from odoo.tests import Form, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestViews(CallbackCase):
    def test_agent_opens_every_callback_view(self):
        views = (
            self.env["claim.callback"]
            .with_user(self.agent_1)
            .get_views([(False, "list"), (False, "kanban"), (False, "form"), (False, "search")])
        )
        self.assertEqual(set(views["views"]), {"list", "kanban", "form", "search"})

    def test_queue_filters(self):
        claims = self._closed_claims(2)
        self._schedule(claims)
        mine, other = claims.callback_ids.sorted("id")
        mine.user_id = self.agent_1
        other.user_id = self.agent_2
        other.sla_completion_deadline = "2020-01-01 00:00:00"
        Callback = self.env["claim.callback"].with_user(self.agent_1)
        self.assertEqual(Callback.search([("user_id", "=", self.agent_1.id), ("id", "in", claims.callback_ids.ids)]), mine)
        self.assertEqual(Callback.search([("is_overdue", "=", True), ("id", "in", claims.callback_ids.ids)]), other)
        self.assertEqual(Callback.search([("is_overdue", "=", False), ("id", "in", claims.callback_ids.ids)]), mine)
        self.assertTrue(other.is_overdue)

    def test_claim_entered_through_the_ticket_form(self):
        with Form(self.env["helpdesk.ticket"].with_context(default_is_claim=True)) as form:
            form.name = "Windscreen"
            form.description = "Chip repair"
            form.partner_id = self.customer
            form.team_id = self.team
            form.claim_number = "CLM-FORM-1"
            form.policy_number = "POL-1"
            form.claim_category_id = self.routine
            form.claim_amount = 300
            form.paid_amount = 300
        ticket = form.record
        self.assertTrue(ticket.is_claim)
        self.assertEqual(ticket.claim_number, "CLM-FORM-1")

    def test_callback_form_loads_for_agent(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = self.agent_1
        form = Form(callback.with_user(self.agent_1))
        self.assertEqual(form.claim_number, claim.claim_number)
