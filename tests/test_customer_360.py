"""Customer 360 on the callback form and in the Log Call dialog (issue 20, point 1): the customer's claims, earlier
callbacks, open issues and complaints, points, risk, consent and local time, each row readable by whoever sees it,
never another company's."""


from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import AGENT, CallbackCase, web_spec

HANDLER = "helpdesk_mgmt.group_helpdesk_user_own"


def form_spec(env, model, user, view_ref=None):
    """The `specification` the web client sends for a form, and those of the dialogs its rows open."""
    return web_spec(env, model, "form", user, env.ref(view_ref).id if view_ref else False)


@tagged("post_install", "-at_install")
class TestCustomer360(CallbackCase):
    """An agent calling Chen Mei-Ling sees her earlier claim (handled by another team), its callback (another
    agent's, satisfaction 2, a complaint and an issue still open), her points and her high risk; nothing of
    the other insurer she is also a customer of."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.handler = cls._user("icc_claims_handler", HANDLER)
        cls.complaints_team = cls.env["helpdesk.ticket.team"].create({"name": "Customer care"})
        cls.company.callback_complaints_team_id = cls.complaints_team
        cls.customer.tz = "America/New_York"
        # her first claim, another team's, its callback done by that team's agent
        cls.claim_old = cls._claim(stage_id=cls.stage_done.id, team_id=cls.other_team.id, user_id=cls.handler.id)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", cls.claim_old.ids)])
        cls.callback_old = cls.claim_old.callback_ids
        old = cls.callback_old.with_user(cls.agent_other_team)
        old.register_attempt("phone", "reached")
        old.register_result(
            2, nps=3, feedback="The payout took far too long and nobody called back.",
            issues=[{"name": "Payout two months late", "is_complaint": True}, "Letter never arrived"],
        )
        cls.issues = cls.callback_old.feedback_ticket_ids
        # the claim being called back now, assigned to agent 1
        cls.claim_now = cls._claim(stage_id=cls.stage_done.id, user_id=cls.handler.id)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", cls.claim_now.ids)])
        cls.callback = cls.claim_now.callback_ids
        cls.callback.user_id = cls.agent_1
        # another insurer's claim of the same customer
        cls.team_b = cls.env["helpdesk.ticket.team"].create({"name": "Claims B", "company_id": cls.company_b.id})
        cls.claim_b = cls._claim(stage_id=cls.stage_done.id, team_id=cls.team_b.id, company_id=cls.company_b.id)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", cls.claim_b.ids)])
        Entry = cls.env["claim.reward.entry"]
        cls.entries = Entry.concat(*(
            Entry.create({"partner_id": cls.customer.id, "company_id": cls.company.id, "kind": "adjust",
                          "points": 10 * (i + 1), "reason": f"Goodwill {i}"})
            for i in range(6)
        ))
        Entry.with_company(cls.company_b).create(
            {"partner_id": cls.customer.id, "company_id": cls.company_b.id, "kind": "adjust", "points": 999,
             "reason": "Other insurer"}
        )

    def _read_360(self, user, callback=None):
        callback = (callback or self.callback).with_user(user)
        return {
            "claims": callback.customer_claim_ids,
            "callbacks": callback.customer_callback_ids,
            "issues": callback.customer_issue_ids,
            "entries": callback.customer_reward_entry_ids,
        }

    def _open_everything(self, user, model, record, view_ref=None):
        """As the web client: the form, then every row of its 360 lists in its dialog; no access error."""
        spec, dialogs = form_spec(self.env, model, user, view_ref)
        record = record.with_user(user)
        [values] = record.web_read(spec)
        for name, dialog_spec in dialogs.items():
            rows = record[name]
            self.assertEqual([row["id"] for row in values[name]], rows.ids[:40])
            if rows:
                rows.web_read(dialog_spec)
        return values

    def test_agent_sees_the_customers_history_on_the_callback_they_work(self):
        self.assertNotEqual(self.callback_old.user_id, self.agent_1, "another team's agent called her first")
        with self.assertRaises(AccessError, msg="claims handlers own the claims: helpdesk gives agents none"):
            self.claim_old.with_user(self.agent_2).check_access("read")
        seen = self._read_360(self.agent_1)
        self.assertEqual(seen["claims"], self.claim_now | self.claim_old)
        self.assertEqual(seen["callbacks"], self.callback_old)
        self.assertEqual(seen["issues"], self.issues)
        self.assertEqual(len(self.issues), 2)
        self.assertTrue(any(self.issues.mapped("is_complaint")))
        self.assertEqual(seen["entries"], self.entries.sorted("id", reverse=True)[:5])
        callback = self.callback.with_user(self.agent_1)
        self.assertEqual(callback.customer_reward_points, 210)
        self.assertEqual((callback.customer_risk, callback.customer_risk_reason), ("high", "low_satisfaction"))
        self.assertEqual(callback.customer_consent, "granted")
        self.assertEqual(callback.customer_tz_name, "Eastern Time")
        self.assertTrue(callback.customer_local_time)
        values = self._open_everything(self.agent_1, "claim.callback", self.callback)
        self.assertEqual(values["customer_callback_ids"][0]["satisfaction"], 2)

    def test_log_call_dialog_shows_the_same_360(self):
        wizard = self.env["claim.callback.log.call"].with_user(self.agent_1).create({"callback_id": self.callback.id})
        seen = self._read_360(self.agent_1)
        self.assertEqual(wizard.customer_claim_ids, seen["claims"])
        self.assertEqual(wizard.customer_callback_ids, seen["callbacks"])
        self.assertEqual(wizard.customer_issue_ids, seen["issues"])
        self.assertEqual(wizard.customer_reward_entry_ids, seen["entries"])
        self.assertEqual((wizard.customer_risk, wizard.customer_reward_points), ("high", 210))
        self.assertEqual(wizard.customer_tz_name, "Eastern Time")
        self._open_everything(self.agent_1, "claim.callback.log.call", wizard)
        # the dialog as it opens: a new record from the callback, through onchange
        spec, _dialogs = form_spec(self.env, "claim.callback.log.call", self.agent_1)
        LogCall = self.env["claim.callback.log.call"].with_user(self.agent_1)
        result = LogCall.with_context(default_callback_id=self.callback.id).onchange({}, [], spec)
        self.assertEqual(
            sorted(row[1] for row in result["value"]["customer_claim_ids"]), sorted(seen["claims"].ids)
        )

    def test_history_is_read_only_for_agents(self):
        with self.assertRaises(AccessError):
            self.claim_old.with_user(self.agent_1).write({"name": "Renamed"})
        with self.assertRaises(AccessError):
            self.issues[0].with_user(self.agent_1).write({"name": "Renamed"})

    def test_a_colleagues_callback_shows_only_what_the_reader_may_open(self):
        """Agent 2 may read agent 1's callback (same team) but calls this customer for nothing: the lists hold
        only what agent 2 may open, and the form and its dialogs open without an access error."""
        seen = self._read_360(self.agent_2)
        for records in seen.values():
            records.with_user(self.agent_2).check_access("read")
        self.assertNotIn(self.claim_old, seen["claims"])
        self.assertNotIn(self.callback_old, seen["callbacks"])
        self._open_everything(self.agent_2, "claim.callback", self.callback)

    def test_supervisor_sees_the_complaint_of_their_teams_customer(self):
        self.assertFalse(self.supervisor.helpdesk_team_ids & self.complaints_team)
        seen = self._read_360(self.supervisor)
        self.assertEqual(seen["issues"], self.issues)
        self.assertEqual(seen["claims"], self.claim_now | self.claim_old)
        self._open_everything(self.supervisor, "claim.callback", self.callback)

    def test_history_rules_read_the_customers_once_not_per_row(self):
        """The history rules select the customers in one subquery: written as `partner_id.claim_callback_ids any`,
        each was an EXISTS inside the rules' OR, run for every row of a list (SLA Risk: 14,674 probes, 110 ms of a
        supervisor's 1,466-row list in bench/load.sh --scenario web)."""
        for user in (self.agent_1, self.supervisor):
            for model in ("claim.callback", "helpdesk.ticket"):
                with self.subTest(user=user.login, model=model):
                    query = self.env[model].with_user(user)._search([])
                    self.assertNotIn("EXISTS", query.select().code)
        # and the rows are those of the rules before: the customer's earlier claim and callback, the open issues
        readers = (self.claim_old | self.issues).with_user(self.agent_1).mapped("customer_history_reader")
        self.assertEqual(set(readers), {"agent"})
        self.assertEqual(self.callback_old.with_user(self.supervisor).customer_history_reader, "supervisor")

    def test_never_another_companys_data(self):
        """An agent working for both insurers, both companies active, calling her for company A: nothing of B."""
        both = self._user("icc_agent_ab", AGENT, company_ids=[Command.set((self.company | self.company_b).ids)])
        self.team.user_ids |= both
        self.team_b.user_ids |= both
        self.callback.user_id = both
        callback_b = self.claim_b.callback_ids
        callback_b.user_id = both
        both_companies = [self.company.id, self.company_b.id]
        callback = self.callback.with_user(both).with_context(allowed_company_ids=both_companies)
        seen = self._read_360(both, callback)
        self.assertEqual(callback.customer_claim_ids, self.claim_now | self.claim_old)
        self.assertNotIn(callback_b, callback.customer_callback_ids)
        self.assertEqual(callback.customer_reward_entry_ids.company_id, self.company)
        self.assertEqual(callback.customer_reward_points, 210)
        self.assertTrue(all(records.company_id <= self.company for records in seen.values()))
        # and company B's callback shows B's history only
        in_b = callback_b.with_user(both).with_context(allowed_company_ids=both_companies)
        self.assertEqual(in_b.customer_claim_ids, self.claim_b)
        self.assertEqual(in_b.customer_reward_points, 999)
        self.assertFalse(in_b.customer_callback_ids)
        self.assertFalse(in_b.customer_issue_ids)

    def test_blocked_channels_and_preferred_channel(self):
        self.env["mail.blacklist"]._add(self.customer.email)
        self.customer.with_company(self.company).callback_channel = "sms"
        self.customer.with_company(self.company_b).callback_channel = "email"
        callback = self.callback.with_user(self.agent_1)
        self.assertEqual(callback.customer_blocked_channels, "E-mail")
        self.assertEqual(callback.customer_preferred_channel, "sms")

    def test_time_zone_as_the_readers_language_names_it(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        callback = self.callback.with_user(self.agent_1)
        self.assertEqual(callback.with_context(lang="zh_TW").customer_tz_name, "東部時間")
        self.customer.tz = False
        self.company.partner_id.tz = "Asia/Taipei"
        self.assertEqual(callback.with_context(lang="en_US").customer_tz_name, "Taipei Time")

    def test_partner_counters_are_right_for_the_agent(self):
        """The partner form as agent 1 opens it: helpdesk's Tickets counter counts her claims and open issues (it
        said 0 / 0), the addon's buttons her callbacks and points, and each opens what it counts."""
        partner = self.customer.with_user(self.agent_1)
        self.assertEqual(partner.helpdesk_ticket_count_string, "2 / 4")  # 2 open issues of 2 claims + 2 issues
        tickets = self.env["helpdesk.ticket"].with_user(self.agent_1).search(partner.action_view_helpdesk_tickets()["domain"])
        self.assertEqual(len(tickets), 4)
        self.assertEqual(partner.claim_callback_count, 2)
        action = partner.action_view_claim_callbacks()
        self.assertEqual(self.env["claim.callback"].with_user(self.agent_1).search(action["domain"]),
                         self.callback | self.callback_old)
        self.assertEqual(partner.reward_points, 210)
        spec, _dialogs = form_spec(self.env, "res.partner", self.agent_1)
        [values] = partner.web_read(spec)
        self.assertEqual((values["claim_callback_count"], values["reward_points"]), (2, 210))
