from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AGENT, MANAGER, CallbackCase


@tagged("post_install", "-at_install")
class TestAccess(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_b = cls.env["helpdesk.ticket.team"].create({"name": "Claims B", "company_id": cls.company_b.id})
        cls.customer_b = cls.env["res.partner"].create({"name": "Customer B", "company_id": cls.company_b.id})
        claims = cls._closed_claims(3)
        # other customers: an agent also reads the history of the customers they call back (TestCustomer360)
        cls.other_customer = cls._brussels_customer()
        cls.other_team_claim = cls._claim(
            stage_id=cls.stage_done.id, team_id=cls.other_team.id, partner_id=cls.other_customer.id
        )
        cls.no_team_claim = cls._claim(stage_id=cls.stage_done.id, team_id=False, partner_id=cls.other_customer.id)
        cls.company_b_claim = cls._claim(
            stage_id=cls.stage_done.id, team_id=cls.team_b.id, partner_id=cls.customer_b.id
        )
        cls.env["claim.callback"]._schedule_first_callbacks(100)
        cls.cb_agent_1, cls.cb_agent_2, cls.cb_unassigned = claims.callback_ids.sorted("id")
        cls.cb_agent_1.user_id = cls.agent_1
        cls.cb_agent_2.user_id = cls.agent_2
        cls.cb_unassigned.user_id = False
        cls.cb_other_team = cls.other_team_claim.callback_ids
        cls.cb_no_team = cls.no_team_claim.callback_ids
        cls.cb_company_b = cls.company_b_claim.callback_ids
        cls.manager_b = cls._user("icc_manager_b", MANAGER, company_ids=[Command.set((cls.company | cls.company_b).ids)])

    def _visible(self, user, companies=None):
        env = self.env(user=user)
        if companies:
            env = env(context={"allowed_company_ids": companies.ids})
        all_callbacks = (
            self.cb_agent_1
            | self.cb_agent_2
            | self.cb_unassigned
            | self.cb_other_team
            | self.cb_no_team
            | self.cb_company_b
        )
        return env["claim.callback"].search([("id", "in", all_callbacks.ids)])

    def test_agent_sees_own_and_team(self):
        visible = self._visible(self.agent_1)
        self.assertEqual(set(visible.ids), {self.cb_agent_1.id, self.cb_agent_2.id, self.cb_unassigned.id})

    def test_agent_reads_every_field_of_the_queue_list_and_form_and_only_reads_the_claim_ticket(self):
        callbacks = (self.cb_agent_1 | self.cb_agent_2 | self.cb_unassigned).with_user(self.agent_1)
        with self.assertRaises(AccessError):
            self.cb_agent_1.ticket_id.with_user(self.agent_1).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.other_team_claim.with_user(self.agent_1).read(["name"])
        for view_type in ("list", "form", "kanban"):
            spec = callbacks.get_views([(False, view_type)])["models"]["claim.callback"]["fields"]
            with self.subTest(view=view_type):
                self.env.invalidate_all()
                rows = callbacks.web_read({name: {} for name in spec})
                self.assertEqual(len(rows), 3)
        self.assertEqual(
            self.cb_agent_1.with_user(self.agent_1).display_name, f"{self.cb_agent_1.claim_number} callback #1"
        )

    def test_agent_cannot_read_other_company_callbacks(self):
        with self.assertRaises(AccessError):
            self.cb_company_b.with_user(self.agent_1).read(["partner_id"])
        with self.assertRaises(AccessError):
            self.cb_other_team.with_user(self.agent_1).read(["partner_id"])

    def test_agent_works_own_callback_but_not_a_colleagues(self):
        cb = self.cb_agent_1.with_user(self.agent_1)
        cb.register_attempt("phone", "reached", duration=60)
        cb.register_result(4, feedback="OK")
        self.assertEqual(self.cb_agent_1.state, "done")
        with self.assertRaises(AccessError):
            self.cb_agent_2.with_user(self.agent_1).register_attempt("phone", "busy")

    def test_agent_takes_an_unassigned_team_callback(self):
        self.cb_unassigned.with_user(self.agent_1).action_assign_to_me()
        self.assertEqual(self.cb_unassigned.user_id, self.agent_1)

    def test_agent_cannot_create_delete_or_configure(self):
        Callback = self.env["claim.callback"].with_user(self.agent_1)
        with self.assertRaises(AccessError):
            Callback.create({"ticket_id": self.other_team_claim.id, "sequence": 2})
        with self.assertRaises(AccessError):
            self.cb_agent_1.with_user(self.agent_1).unlink()
        with self.assertRaises(AccessError):
            self.routine.with_user(self.agent_1).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.env["claim.category"].with_user(self.agent_1).create({"name": "X", "code": "x"})
        with self.assertRaises(AccessError):
            self.agent_1.with_user(self.agent_1).write({"callback_capacity": 999})
        with self.assertRaises(AccessError):
            self.env.ref("insurance_claim_callback.ir_cron_schedule_callbacks").with_user(self.agent_1).write(
                {"interval_number": 1}
            )

    def test_supervisor_sees_teams_and_unassigned_and_reassigns(self):
        visible = self._visible(self.supervisor)
        self.assertEqual(
            set(visible.ids),
            {self.cb_agent_1.id, self.cb_agent_2.id, self.cb_unassigned.id, self.cb_no_team.id},
        )
        self.cb_agent_1.with_user(self.supervisor).write({"user_id": self.agent_2.id})
        self.assertEqual(self.cb_agent_1.user_id, self.agent_2)
        self.cb_no_team.with_user(self.supervisor).action_cancel()
        self.assertEqual(self.cb_no_team.state, "cancelled")
        with self.assertRaises(AccessError):
            self.cb_agent_2.with_user(self.supervisor).unlink()

    def test_supervisor_sees_a_team_they_lead_from_the_moment_they_lead_it_until_they_stop(self):
        # the rules read the user's teams once and cache them (res.users.callback_team_ids): a change of a team's
        # leader or members shows at once, in this worker and the others
        Attempt = self.env["claim.callback.attempt"]
        attempt = Attempt.create({"callback_id": self.cb_other_team.id, "channel": "phone", "outcome": "no_answer"})
        self.assertNotIn(self.cb_other_team, self._visible(self.supervisor))
        self.other_team.user_id = self.supervisor
        self.assertIn(self.cb_other_team, self._visible(self.supervisor))
        self.assertEqual(Attempt.with_user(self.supervisor).search([("id", "=", attempt.id)]), attempt)
        self.other_team.user_id = False
        self.assertNotIn(self.cb_other_team, self._visible(self.supervisor))
        self.assertFalse(Attempt.with_user(self.supervisor).search([("id", "=", attempt.id)]))
        self.other_team.user_ids = [Command.link(self.supervisor.id)]
        self.assertIn(self.cb_other_team, self._visible(self.supervisor))
        self.other_team.user_ids = [Command.unlink(self.supervisor.id)]
        self.assertNotIn(self.cb_other_team, self._visible(self.supervisor))
        self.supervisor.helpdesk_team_ids = [Command.link(self.other_team.id)]
        self.assertIn(self.cb_other_team, self._visible(self.supervisor))

    def test_manager_sees_everything_of_their_companies_only(self):
        visible = self._visible(self.manager)
        self.assertEqual(
            set(visible.ids),
            {self.cb_agent_1.id, self.cb_agent_2.id, self.cb_unassigned.id, self.cb_other_team.id, self.cb_no_team.id},
        )
        both = self._visible(self.manager_b, self.company | self.company_b)
        self.assertIn(self.cb_company_b, both)
        self.routine.with_user(self.manager).write({"description": "Edited by a manager"})

    def test_group_ladder(self):
        self.assertTrue(self.manager.has_group(AGENT))
        self.assertTrue(self.supervisor.has_group(AGENT))
        self.assertFalse(self.agent_1.has_group("insurance_claim_callback.group_callback_supervisor"))
