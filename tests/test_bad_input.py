"""Issue 19's findings on bad input, each over the door it was found on: a clear 4xx (ValidationError /
UserError / AccessError), never HTTP 500, nothing written; and a call back later is bounded."""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .test_hostile_input import HostileCase


@tagged("post_install", "-at_install")
class TestCallBackLaterIsBounded(HostileCase):
    def test_a_call_back_later_beyond_the_companys_limit_is_refused(self):
        callback = self.callback.with_user(self.agent_1)
        with self.assertRaises(ValidationError):
            callback.register_attempt("phone", "call_back_later", callback_at="9999-12-31 23:59:59")
        far = fields.Datetime.now() + timedelta(days=31)
        with self.assertRaises(ValidationError):
            callback.register_attempt("phone", "call_back_later", callback_at=far)
        self.assertFalse(self.callback.attempt_ids)
        self.assertFalse(self.callback.sla_paused_since)
        callback.register_attempt("phone", "call_back_later", callback_at=fields.Datetime.now() + timedelta(days=29))
        self.assertTrue(self.callback.sla_paused_since)

    def test_the_limit_is_a_company_setting(self):
        self.company.callback_later_max_days = 60
        self.callback.with_user(self.agent_1).register_attempt(
            "phone", "call_back_later", callback_at=fields.Datetime.now() + timedelta(days=45))
        self.assertTrue(self.callback.sla_paused_since)
        for days in (0, 366, 2**31 - 1):
            with self.subTest(days=days), self.assertRaises(ValidationError):
                self.company.callback_later_max_days = days

    def test_log_call_dialog_with_a_far_day_pauses_nothing(self):
        wizard = self.env["claim.callback.log.call"].with_user(self.agent_1).create(
            {"callback_id": self.callback.id, "outcome": "call_back_later", "callback_day": "2999-12-31",
             "callback_time": 10.0})
        with self.assertRaises(ValidationError):
            wizard.action_confirm()
        self.assertFalse(self.callback.sla_paused_since)


@tagged("post_install", "-at_install")
class TestBadInputOverJson2(HostileCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.keys = {
            user: cls.env["res.users.apikeys"].with_user(user)._generate(
                None, "bad input", fields.Datetime.now() + timedelta(days=1))
            for user in (cls.agent_1, cls.supervisor, cls.manager)
        }
        cls.team.user_ids = [Command.link(cls.manager.id)]

    def _post(self, path, body, user):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {self.keys[user]}"}
        return self.url_open(path, data=json.dumps(body, allow_nan=True), headers=headers)

    def _assert_4xx(self, path, body, user):
        response = self._post(path, body, user)
        self.assertGreaterEqual(response.status_code, 400, response.text[:300])
        self.assertLess(response.status_code, 500, f"{path} {body}: {response.text[:500]}")
        return response

    def test_nul_characters_are_refused(self):
        self._assert_4xx("/json/2/claim.callback/register_attempt",
                         {"ids": self.callback.ids, "channel": "phone", "outcome": "busy", "note": "a\x00b"},
                         self.agent_1)
        self._assert_4xx("/json/2/claim.callback/register_result",
                         {"ids": self.callback.ids, "satisfaction": 4, "feedback": "ok\x00"}, self.agent_1)
        self.assertFalse(self.callback.attempt_ids)
        self.assertEqual(self.callback.state, "scheduled")

    def test_an_unknown_keyword_is_refused(self):
        self._assert_4xx("/json/2/claim.callback/register_result",
                         {"ids": self.callback.ids, "satisfaction": 5, "state": "cancelled"}, self.agent_1)
        self.assertEqual(self.callback.state, "scheduled")

    def test_kpi_methods_check_the_month_and_take_a_company_id(self):
        for method in ("compute_month", "forecast_month"):
            for month in ("garbage", [1], "0001-01-01", 2**31, None):
                with self.subTest(method=method, month=month):
                    self._assert_4xx(f"/json/2/claim.callback.kpi/{method}",
                                     {"month": month, "company": self.company.id}, self.manager)
            with self.subTest(method=method, company="another company's"):
                response = self._post(f"/json/2/claim.callback.kpi/{method}",
                                      {"month": "2026-11-15", "company": self.company_b.id}, self.manager)
                self.assertEqual(response.status_code, 403, response.text[:300])
        response = self._post("/json/2/claim.callback.kpi/compute_month",
                              {"month": "2026-11-15", "company": self.company.id}, self.manager)
        self.assertEqual(response.status_code, 200, response.text[:300])
        row = self.env["claim.callback.kpi"].browse(response.json())
        self.assertEqual((str(row.month), row.company_id), ("2026-11-01", self.company))
        response = self._post("/json/2/claim.callback.kpi/forecast_month",
                              {"month": "2026-11-15", "company": self.company.id}, self.manager)
        self.assertEqual(response.status_code, 200, response.text[:300])

    def test_log_call_dialog_values_out_of_range_are_refused(self):
        for vals in ({"callback_day": "0001-01-01", "outcome": "call_back_later"},
                     {"duration_minutes": 2**31}, {"duration_minutes": 1.5}, {"outcome": "hang_up"},
                     {"note": "\x00"}):
            with self.subTest(vals=vals):
                self._assert_4xx("/json/2/claim.callback.log.call/create",
                                 {"vals_list": [{"callback_id": self.callback.id, **vals}]}, self.agent_1)

    def test_invalid_selection_and_relation_values_are_refused(self):
        self._assert_4xx("/json/2/claim.reward.entry/create",
                         {"vals_list": [{"partner_id": self.customer.id, "kind": "gift", "points": 5,
                                         "reason": "x"}]}, self.supervisor)
        self._assert_4xx("/json/2/claim.callback/write",
                         {"ids": self.callback.ids, "vals": {"topic_ids": "abc"}}, self.supervisor)
        self._assert_4xx("/json/2/claim.callback.outcome/create",
                         {"vals_list": [{"callback_id": self.callback.id, "satisfaction": "9"}]}, self.agent_1)
        self.assertFalse(self.env["claim.reward.entry"].search([("partner_id", "=", self.customer.id)]))

    def test_searching_or_grouping_the_masked_phone_is_4xx(self):
        self._assert_4xx("/json/2/claim.callback/search_read",
                         {"domain": [["partner_phone_formatted", "=", "+886223456789"]], "fields": ["id"]},
                         self.agent_1)
        self._assert_4xx("/json/2/claim.callback/formatted_read_group",
                         {"domain": [], "groupby": ["partner_phone_formatted"], "aggregates": ["__count"]},
                         self.agent_1)
        response = self._post("/json/2/claim.callback/formatted_read_group",
                              {"domain": [], "groupby": ["partner_id.phone:day"], "aggregates": ["__count"]},
                              self.agent_1)
        self.assertEqual(response.status_code, 422, response.text[:300])


@tagged("post_install", "-at_install")
class TestQuestionnaireBadInput(HostileCase, HttpCase):
    def test_a_scale_answer_that_is_not_a_number_or_a_nul_is_a_message_not_a_server_error(self):
        self.callback.survey_expiry_date = fields.Datetime.now() + timedelta(days=7)
        url = self.callback._get_survey_url()
        self.url_open(url[url.index("/claim_callback/"):], allow_redirects=False,
                      headers={"X-Odoo-Database": self.env.cr.dbname})
        answer = self.callback.survey_answer_ids
        survey = answer.survey_id
        ref = self.env.ref
        satisfaction = ref("insurance_claim_callback.survey_question_satisfaction")
        comments = ref("insurance_claim_callback.survey_question_comments")
        for post in ({str(satisfaction.id): "abc"}, {str(satisfaction.id): "99"},
                     {str(satisfaction.id): "4", str(comments.id): "fine\x00"}):
            with self.subTest(post=post):
                response = self.url_open(f"/survey/submit/{survey.access_token}/{answer.access_token}",
                                         json={"params": {**post, "token": answer.access_token}},
                                         headers={"X-Odoo-Database": self.env.cr.dbname})
                self.assertEqual(response.status_code, 200, response.text[:300])
                body = response.json()
                self.assertNotIn("error", body, "a server error reached the customer")
                self.assertEqual(body["result"][1]["error"], "validation", body)
        self.assertEqual(self.callback.state, "scheduled")
        self.assertNotEqual(answer.state, "done")
