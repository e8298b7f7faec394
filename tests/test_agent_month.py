import json
from datetime import date, datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.modules.module import get_manifest
from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools.convert import convert_file

from .common import AGENT, MANAGER, SUPERVISOR, CallbackCase

MARCH = date(2026, 3, 1)
IN_MARCH = datetime(2026, 3, 10, 2)  # naive UTC; the company works in Asia/Taipei (UTC+8)


class AgentMonthCase(CallbackCase):
    """Hand-made callbacks whose SLA clock started in March 2026 (Asia/Taipei: 2026-02-28 16:00 to 2026-03-31
    16:00 UTC), worked with the agents' own service methods."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Asia/Taipei"
        cls.company.callback_satisfied_score = 4
        cls.Month = cls.env["claim.callback.agent.month"]
        cls.manager_b = cls._user("icc_manager_b", MANAGER, company_id=cls.company_b.id)
        cls.supervisor_other = cls._user("icc_supervisor_other", SUPERVISOR)
        cls.other_team.user_id = cls.supervisor_other

    @classmethod
    def _callbacks(cls, agent, count, started=IN_MARCH, **claim_vals):
        """`count` first callbacks of closed claims, assigned to `agent`, their SLA clock started at `started`."""
        claims = cls._closed_claims(count, **claim_vals)
        domain = [("id", "in", claims.ids)]
        while cls.env["claim.callback"]._schedule_first_callbacks(500, domain)[1]:
            pass
        callbacks = claims.callback_ids
        callbacks.write({"user_id": agent.id})
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE claim_callback SET sla_start_date = %s WHERE id IN %s", [started, tuple(callbacks.ids)])
        callbacks.invalidate_recordset(["sla_start_date"])
        return callbacks

    @classmethod
    def _set(cls, callbacks, **vals):
        """Set SLA statuses as the SLA engine would have frozen them (its own tests cover how)."""
        cls.env.flush_all()
        for field, value in vals.items():
            cls.env.cr.execute(f"UPDATE claim_callback SET {field} = %s WHERE id IN %s",  # noqa: S608
                               [value, tuple(callbacks.ids)])
        callbacks.invalidate_recordset(list(vals))

    @classmethod
    def _evaluation(cls, callback, score, done_date, state="done"):
        return cls.env["claim.callback.evaluation"].create({
            "callback_id": callback.id, "user_id": callback.user_id.id, "company_id": callback.company_id.id,
            "evaluator_id": cls.supervisor.id, "state": state, "score": score, "done_date": done_date,
        })

    @classmethod
    def _march_data(cls):
        """agent_1: 4 callbacks of March (2 done: satisfied and met / unsatisfied with a complaint, 1 open,
        1 unreached) + 1 cancelled + 1 of April; agent_2: 1 open callback; agent_other_team: only a done
        evaluation of March; company B: one callback of its own agent."""
        c1, c2, c3, c4, cancelled = cls._callbacks(cls.agent_1, 5)
        cls._callbacks(cls.agent_1, 1, started=datetime(2026, 3, 31, 17))  # 1 April 01:00 in Taipei
        c1.with_user(cls.agent_1).register_attempt("phone", "reached")
        c1.with_user(cls.agent_1).register_result(5)
        c2.with_user(cls.agent_1).register_attempt("phone", "no_answer")
        c2.with_user(cls.agent_1).register_attempt("phone", "reached")
        c2.with_user(cls.agent_1).register_result(2, issues=[{"name": "Paid too late", "is_complaint": True},
                                                             "Unclear letter"])
        c4.with_user(cls.agent_1).register_attempt("phone", "busy")
        cancelled.sudo().action_cancel()
        cls._set(c1, sla_completion_status="met", sla_first_contact_status="met")
        cls._set(c2 | c3 | c4, sla_completion_status="missed", sla_first_contact_status="missed")
        cls._set(c3, sla_first_contact_status="met")
        (d1,) = cls._callbacks(cls.agent_2, 1)
        other = cls._callbacks(cls.agent_other_team, 1, started=datetime(2026, 1, 5))
        other.with_user(cls.agent_other_team).register_result(4)
        cls._evaluation(other, 90.0, datetime(2026, 3, 20))
        cls._evaluation(c1, 60.0, datetime(2026, 3, 25))
        cls._evaluation(c2, 50.0, datetime(2026, 4, 2), state="done")  # evaluated in April
        cls.agent_b = cls._user("icc_agent_b", AGENT, company_id=cls.company_b.id)
        team_b = cls.env["helpdesk.ticket.team"].create({"name": "B claims", "company_id": cls.company_b.id,
                                                         "user_ids": [Command.set(cls.agent_b.ids)]})
        cls._callbacks(cls.agent_b, 1, company_id=cls.company_b.id, team_id=team_b.id, claim_number="CLM-B-1")
        return c1, c2, c3, c4, d1


@tagged("post_install", "-at_install")
class TestAgentMonthDefinitions(AgentMonthCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c1, cls.c2, cls.c3, cls.c4, cls.d1 = cls._march_data()

    def _rows(self, month=MARCH, company=None):
        rows = self.Month.compute_month(month, company or self.company)
        return {row.user_id: row for row in rows}

    def test_figures_follow_spec_10(self):
        rows = self._rows()
        self.assertEqual(set(rows), {self.agent_1, self.agent_2, self.agent_other_team})
        a1 = rows[self.agent_1]
        attempts = self.env["claim.callback.attempt"].search_count(
            [("callback_id", "in", (self.c1 | self.c2 | self.c3 | self.c4).ids)])
        self.assertEqual(attempts, 4)
        self.assertEqual(
            (a1.month, a1.company_id, a1.callbacks, a1.completed, a1.rated, a1.complaints, a1.attempts,
             a1.evaluations),
            (MARCH, self.company, 4, 2, 2, 1, 4, 1),
        )
        self.assertAlmostEqual(a1.completion_rate, 50.0)
        self.assertAlmostEqual(a1.on_time_rate, 25.0)
        self.assertAlmostEqual(a1.first_contact_rate, 50.0)
        self.assertAlmostEqual(a1.satisfaction_rate, 50.0)
        self.assertAlmostEqual(a1.satisfaction_avg, 3.5)
        self.assertAlmostEqual(a1.attempts_per_callback, 1.0)
        self.assertAlmostEqual(a1.qa_score, 60.0)
        # 50 × 30 + 25 × 20 + 50 × 30 + 60 × 20 over 100
        self.assertAlmostEqual(a1.score, 47.0)

    def test_rates_without_denominator_are_null_not_zero(self):
        rows = self._rows()
        self.env.cr.execute(
            "SELECT user_id, completion_rate, satisfaction_rate, satisfaction_avg, qa_score, score"
            "  FROM claim_callback_agent_month WHERE id IN %s",
            [tuple(row.id for row in rows.values())],
        )
        stored = {user_id: values for user_id, *values in self.env.cr.fetchall()}
        # agent_2: 1 open callback, nothing rated, no evaluation: completion 0 %, the rest NULL
        self.assertEqual(stored[self.agent_2.id][:4], [0.0, None, None, None])
        # agent_other_team: no callback of March, a done evaluation: only the QA score, which is the score
        self.assertEqual(stored[self.agent_other_team.id], [None, None, None, 90.0, 90.0])
        self.assertFalse(rows[self.agent_2]._is_defined("satisfaction_rate"))
        self.assertTrue(rows[self.agent_2]._is_defined("completion_rate"))

    def test_rank_best_first_ties_more_callbacks_first(self):
        # agent_2: 1 open callback, score 0; agent_4: 2 open callbacks, score 0; agent_5: 1, score 0
        agent_4, agent_5 = self._user("icc_agent_4", AGENT), self._user("icc_agent_5", AGENT)
        self._callbacks(agent_4, 2)
        self._callbacks(agent_5, 1)
        rows = self._rows()
        self.assertEqual([rows[u].score for u in (self.agent_2, agent_4, agent_5)], [0.0, 0.0, 0.0])
        self.assertEqual(
            [rows[u].rank for u in (self.agent_other_team, self.agent_1, agent_4, self.agent_2, agent_5)],
            [1, 2, 3, 4, 4],
        )

    def test_recompute_updates_the_same_rows_in_place_and_is_idempotent(self):
        first = self.Month.compute_month(MARCH, self.company)
        values = first.read(["callbacks", "completion_rate", "score", "rank"])
        again = self.Month.compute_month("2026-03-31", self.company.id)
        self.assertEqual(again, first)
        self.assertEqual(again.read(["callbacks", "completion_rate", "score", "rank"]), values)
        self.c3.with_user(self.agent_1).register_result(5)
        third = self.Month.compute_month(MARCH, self.company)
        self.assertEqual(third, first)
        self.assertEqual(third.filtered(lambda r: r.user_id == self.agent_1).completed, 3)
        self.assertEqual(self.Month.search_count([("month", "=", MARCH)]), 3)

    def test_an_agent_who_no_longer_has_anything_in_the_month_loses_the_row(self):
        self._rows()
        self.d1.write({"user_id": self.agent_1.id})
        rows = self._rows()
        self.assertNotIn(self.agent_2, rows)
        self.assertFalse(self.Month.search([("user_id", "=", self.agent_2.id), ("month", "=", MARCH)]))

    def test_companies_are_apart(self):
        rows_b = self._rows(company=self.company_b)
        self.assertEqual(set(rows_b), {self.agent_b})
        self.assertEqual(rows_b[self.agent_b].callbacks, 1)
        self.assertNotIn(self.agent_b, self._rows())

    @freeze_time("2026-04-02 03:00:00")
    def test_monthly_cron_computes_last_month_and_mails_each_team_leader_once(self):
        cron = self.env.ref("insurance_claim_callback.ir_cron_monthly_kpi")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
            cron.method_direct_trigger()
        rows = self.Month.search([("month", "=", MARCH), ("company_id", "=", self.company.id)])
        self.assertEqual(rows.user_id, self.agent_1 | self.agent_2 | self.agent_other_team)
        self.assertTrue(all(rows.mapped("report_sent_date")))
        mails = self.env["mail.mail"].search([("subject", "like", "Agent appraisals")])
        by_leader = {leader: mails.filtered(lambda m, leader=leader: leader.partner_id in m.recipient_ids)
                     for leader in (self.supervisor, self.supervisor_other)}
        self.assertEqual([len(m) for m in by_leader.values()], [1, 1])
        self.assertEqual(len(by_leader[self.supervisor].attachment_ids), 2)
        self.assertEqual(len(by_leader[self.supervisor_other].attachment_ids), 1)

    @freeze_time("2026-03-20 03:00:00")
    def test_nightly_cron_computes_this_month_so_far(self):
        cron = self.env.ref("insurance_claim_callback.ir_cron_agent_month_current")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        rows = self.Month.search([("month", "=", MARCH), ("company_id", "=", self.company.id)])
        self.assertEqual(rows.user_id, self.agent_1 | self.agent_2 | self.agent_other_team)
        self.assertFalse(rows.filtered("report_sent_date"), "only last month's rows are mailed")

    def test_pdf_is_in_the_agent_language(self):
        self._activate_languages("zh_TW")
        self.agent_1.lang = "zh_TW"
        rows = self._rows()
        html = self.env["ir.actions.report"].with_context(lang="en_US")._render_qweb_html(
            "insurance_claim_callback.report_claim_callback_agent_month",
            (rows[self.agent_1] | rows[self.agent_2]).ids)[0].decode()
        # agent_1's page (first) in Traditional Chinese, agent_2's in English
        self.assertLess(html.index("專員績效考核"), html.index("Completion rate"))
        self.assertLess(html.index("完成率"), html.index("Completion rate"))
        self.assertEqual(html.count("Completion rate"), 1)


@tagged("post_install", "-at_install")
class TestAgentMonthAccess(AgentMonthCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._march_data()
        cls.rows = cls.Month.compute_month(MARCH, cls.company) | cls.Month.compute_month(MARCH, cls.company_b)

    def _visible(self, user):
        return self.Month.with_user(user).search([]).user_id

    def test_each_role_reads_its_share(self):
        self.assertEqual(self._visible(self.agent_1), self.agent_1)
        self.assertEqual(self._visible(self.supervisor), self.agent_1 | self.agent_2)
        self.assertEqual(self._visible(self.supervisor_other), self.agent_other_team)
        self.assertEqual(self._visible(self.manager), self.agent_1 | self.agent_2 | self.agent_other_team)
        self.assertEqual(self._visible(self.manager_b), self.agent_b)

    def test_nobody_writes_a_row_by_hand(self):
        row = self.rows.filtered(lambda r: r.user_id == self.agent_1)
        for user in (self.agent_1, self.supervisor, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    row.with_user(user).write({"score": 100})
                with self.assertRaises(AccessError):
                    self.Month.with_user(user).create({"user_id": user.id, "company_id": self.company.id,
                                                       "month": date(2026, 2, 1), "score": 100})

    def test_only_managers_of_the_company_compute(self):
        for user in (self.agent_1, self.supervisor):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Month.with_user(user).compute_month(MARCH, self.company)
        with self.assertRaises(AccessError):
            self.Month.with_user(self.manager).compute_month(MARCH, self.company_b)
        rows = self.Month.with_user(self.manager).compute_month(MARCH, self.company.id)
        self.assertEqual(len(rows), 3)
        self.assertEqual(rows.env.uid, self.manager.id)

    def test_bad_month_or_company_is_refused(self):
        for month, company in (("garbage", self.company.id), ("2026-13-01", self.company.id),
                               ("0001-01-01", self.company.id), (MARCH, 0), (MARCH, [self.company.id]),
                               (MARCH, self.company | self.company_b), (42, self.company.id)):
            with self.subTest(month=month, company=company), self.assertRaises(ValidationError):
                self.Month.with_user(self.manager).compute_month(month, company)


@tagged("post_install", "-at_install")
class TestAgentMonthOverHttp(AgentMonthCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._march_data()
        cls.rows = cls.Month.compute_month(MARCH, cls.company)
        expiry = fields.Datetime.now() + timedelta(days=1)
        cls.keys = {user: cls.env["res.users.apikeys"].with_user(user)._generate(None, user.login, expiry)
                    for user in (cls.agent_1, cls.supervisor, cls.manager)}

    def _post(self, path, body, user):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {self.keys[user]}"}
        return self.url_open(path, data=json.dumps(body), headers=headers)

    def test_json2_write_and_create_are_forbidden(self):
        row = self.rows.filtered(lambda r: r.user_id == self.agent_1)
        for user in self.keys:
            with self.subTest(user=user.login):
                response = self._post("/json/2/claim.callback.agent.month/write",
                                      {"ids": row.ids, "vals": {"score": 100}}, user)
                self.assertEqual(response.status_code, 403, response.text)
                response = self._post("/json/2/claim.callback.agent.month/create",
                                      {"vals_list": [{"user_id": user.id, "company_id": self.company.id,
                                                      "month": "2026-02-01"}]}, user)
                self.assertEqual(response.status_code, 403, response.text)
        self.assertNotEqual(row.score, 100)

    def test_json2_bad_input_is_4xx(self):
        for body, status in (({"month": "garbage", "company": self.company.id}, 422),
                             ({"month": "2026-03-01", "company": "x"}, 422),
                             ({"month": "2026-03-01", "company": self.company_b.id}, 403)):
            with self.subTest(body=body):
                response = self._post("/json/2/claim.callback.agent.month/compute_month", body, self.manager)
                self.assertEqual(response.status_code, status, response.text)
        response = self._post("/json/2/claim.callback.agent.month/compute_month",
                              {"month": "2026-03-01", "company": self.company.id}, self.agent_1)
        self.assertEqual(response.status_code, 403, response.text)
        response = self._post("/json/2/claim.callback.agent.month/compute_month",
                              {"month": "2026-03-01", "company": self.company.id}, self.manager)
        self.assertEqual((response.status_code, sorted(response.json())), (200, sorted(self.rows.ids)))


@tagged("post_install", "-at_install")
class TestAgentMonthQueries(AgentMonthCase):
    def _agents(self, count, offset):
        agents = self.env["res.users"].concat(*(self._user(f"icc_q_agent_{offset + i}", AGENT) for i in range(count)))
        self.team.user_ids = [Command.link(agent.id) for agent in agents]
        for agent in agents:
            callbacks = self._callbacks(agent, 2)
            callbacks[0].with_user(agent).register_result(4)
        return agents

    def _count(self):
        self.env.flush_all()
        self.env.invalidate_all()
        start = self.cr.sql_log_count
        rows = self.Month.compute_month(MARCH, self.company)
        return self.cr.sql_log_count - start, rows

    def test_compute_month_queries_do_not_grow_with_agents(self):
        self._agents(3, 0)
        self._count()  # warm the caches
        small, rows = self._count()
        self.assertEqual(len(rows), 3)
        self._agents(27, 3)
        large, rows = self._count()
        self.assertEqual(len(rows), 30)
        self.assertEqual(small, large, "compute_month's queries grow with the number of agents")
        self.assertLessEqual(large, 12)

    def test_scorecard_lists_within_budget(self):
        """My Scorecard (the agent) and Team Appraisal (the supervisor) lists, warm, as the web client reads
        them: the same number of queries for 3 and 30 rows."""
        agents = self._agents(3, 0)
        self.Month.compute_month(MARCH, self.company)
        for month in range(1, 3):
            self.Month.compute_month(date(2026, 3 - month, 1), self.company)

        def spec(user):
            view = self.Month.with_user(user).get_views([(False, "list")])["views"]["list"]
            names = {node.get("name") for node in etree.fromstring(view["arch"]).iterfind(".//field")}
            fields_ = self.Month._fields
            return {name: {"fields": {"display_name": {}}} if fields_[name].type == "many2one" else {}
                    for name in names if fields_[name].type != "one2many"}

        def measure(user, domain):
            Month = self.Month.with_user(user).with_context(bin_size=True)
            read_spec = spec(user)
            Month.web_search_read(domain, read_spec, limit=80)
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            result = Month.web_search_read(domain, read_spec, limit=80)
            return self.cr.sql_log_count - start, result["length"]

        mine = [("user_id", "=", agents[0].id)]
        small_mine = measure(agents[0], mine)
        small_team = measure(self.supervisor, [])
        self._agents(27, 3)
        self.Month.compute_month(MARCH, self.company)
        large_team = measure(self.supervisor, [])
        self.assertEqual(small_team[1], 3)
        self.assertEqual(large_team[1], 30)
        self.assertEqual(small_team[0], large_team[0], "the team list's queries grow with its rows")
        self.assertLessEqual(large_team[0], 12)
        self.assertLessEqual(small_mine[0], 12)


@tagged("post_install", "-at_install")
class TestAgentMonthDemo(TransactionCase):
    """The demo database shows appraisals: three months of the demo history and the current month."""

    def test_demo_agents_have_three_months_of_appraisals(self):
        for filename in get_manifest("insurance_claim_callback")["demo"]:
            convert_file(self.env, "insurance_claim_callback", filename, {}, mode="init")
        rows = self.env["claim.callback.agent.month"].search([("company_id", "=", self.env.company.id)])
        self.assertGreaterEqual(len(set(rows.mapped("month"))), 3)
        self.assertGreaterEqual(len(rows.user_id), 2)
        for month in set(rows.mapped("month")):
            ranks = sorted(rows.filtered(lambda r, month=month: r.month == month).mapped("rank"))
            self.assertEqual(ranks[0], 1)
        self.assertTrue(rows.filtered(lambda r: r.callbacks and r.completed and r.rated))
