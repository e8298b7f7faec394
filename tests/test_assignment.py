from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import AGENT, CallbackCase


@tagged("post_install", "-at_install")
class TestAssignment(CallbackCase):
    def _assigned(self, claims):
        self._schedule(claims)
        return [c.user_id for c in claims.callback_ids.sorted(lambda c: c.ticket_id.id)]

    def test_least_loaded_agent_first(self):
        busy = self._closed_claims(2)
        self._schedule(busy)
        busy.callback_ids.write({"user_id": self.agent_1.id})
        new = self._closed_claims(3)
        agents = self._assigned(new)
        # agent_2 had 0 open callbacks against agent_1's 2: it takes the first two, then ties go by id
        self.assertEqual(agents[:2], [self.agent_2] * 2)
        self.assertEqual(agents[2], min(self.agent_1, self.agent_2, key=lambda u: u.id))

    def test_balanced_across_agents(self):
        claims = self._closed_claims(6)
        self._schedule(claims)
        counts = {u: len(claims.callback_ids.filtered(lambda c, u=u: c.user_id == u)) for u in self.agent_1 | self.agent_2}
        self.assertEqual(set(counts.values()), {3})

    def test_only_callback_agents_of_the_team(self):
        """Plain helpdesk users and agents of other teams never get the team's callbacks."""
        claims = self._closed_claims(9)
        self._schedule(claims)
        self.assertNotIn(self.helpdesk_user, claims.callback_ids.user_id)
        self.assertNotIn(self.agent_other_team, claims.callback_ids.user_id)

    def test_capacity_respected_then_unassigned(self):
        (self.agent_1 | self.agent_2).callback_capacity = 1
        claims = self._closed_claims(3)
        self._schedule(claims)
        callbacks = claims.callback_ids
        self.assertEqual(len(callbacks.filtered("user_id")), 2)
        self.assertEqual(callbacks.user_id, self.agent_1 | self.agent_2)
        unassigned = callbacks.filtered(lambda c: not c.user_id)
        self.assertEqual(len(unassigned), 1)
        self.assertEqual(unassigned.team_id, self.team)

    def test_done_callbacks_free_capacity(self):
        (self.agent_1 | self.agent_2).callback_capacity = 1
        first = self._closed_claims(2)
        self._schedule(first)
        first.callback_ids.filtered(lambda c: c.user_id == self.agent_1).register_result(5)
        second = self._closed_claims(1)
        self.assertEqual(self._assigned(second), [self.agent_1])

    def test_no_team_means_unassigned_without_error(self):
        claim = self._closed_claims(1, team_id=False)
        self._schedule(claim)
        self.assertEqual(len(claim.callback_ids), 1)
        self.assertFalse(claim.callback_ids.user_id)

    def test_agent_of_another_company_is_skipped(self):
        self.agent_2.write({"company_ids": [Command.link(self.company_b.id)], "company_id": self.company_b.id})
        self.agent_2.write({"company_ids": [(3, self.company.id)]})
        claims = self._closed_claims(4)
        self._schedule(claims)
        self.assertNotIn(self.agent_2, claims.callback_ids.user_id)

    def test_negative_capacity_rejected(self):
        with self.assertRaises(ValidationError):
            self.agent_1.callback_capacity = -1

    def test_agent_group_members_only(self):
        group = self.env.ref(AGENT)
        self.assertIn(self.agent_1, group.all_user_ids)
        self.assertNotIn(self.helpdesk_user, group.all_user_ids)
