"""Agents land on their queue after login (issue 20, item 3): Odoo's home action of the user (res.users
action_id, which the web client opens after login when no other action is asked for)."""

from odoo import Command
from odoo.tests import tagged

from .common import SUPERVISOR, CallbackCase

QUEUE_ACTION = "insurance_claim_callback.claim_callback_action_my_queue"


@tagged("post_install", "-at_install")
class TestAgentHomeAction(CallbackCase):
    """Agents land on My Queue after login: their home action (Odoo's res.users action_id)."""

    def test_new_agents_land_on_my_queue_supervisors_do_not(self):
        queue = self.env.ref(QUEUE_ACTION)
        self.assertEqual(self.agent_1.action_id.id, queue.id)
        self.assertFalse(self.supervisor.action_id)
        self.assertFalse(self.helpdesk_user.action_id)
        # promoted to supervisor: no longer their queue; back to agent: their queue again
        self.agent_2.group_ids = [Command.link(self.env.ref(SUPERVISOR).id)]
        self.assertFalse(self.agent_2.action_id)
        self.agent_2.group_ids = [Command.unlink(self.env.ref(SUPERVISOR).id)]
        self.assertEqual(self.agent_2.action_id.id, queue.id)

    def test_existing_agents_get_it_at_update_unless_they_chose_another(self):
        queue, discuss = self.env.ref(QUEUE_ACTION), self.env.ref("mail.action_discuss")
        self.agent_1.action_id = False
        self.agent_2.action_id = discuss.id
        self.env["res.users"]._init_callback_home_action()
        self.assertEqual(self.agent_1.action_id.id, queue.id)
        self.assertEqual(self.agent_2.action_id.id, discuss.id)
