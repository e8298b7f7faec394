"""The integrity model (README: Security and privacy): what only the service methods change,
each hostile probe that once worked, refused now — over HTTP where it was found over HTTP."""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import CallbackCase


class IntegrityCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(2)
        cls.env["claim.callback"]._schedule_first_callbacks(10, [("id", "in", claims.ids)])
        cls.callback, cls.other = claims.callback_ids.sorted("id")
        cls.callback.user_id = cls.agent_1
        cls.other.user_id = cls.agent_2


@tagged("post_install", "-at_install")
class TestCallbackFieldProtection(IntegrityCase):
    def test_agent_cannot_write_outcome_sla_or_assignment_directly(self):
        mine = self.callback.with_user(self.agent_1)
        forged = {
            "state": "done",
            "satisfaction": 5,
            "sla_completion_status": "met",
            "sla_completion_deadline": fields.Datetime.now() + timedelta(days=365),
            "user_id": self.agent_2.id,
            "partner_id": self.customer.id,
            "ticket_id": self.other.ticket_id.id,
        }
        for name, value in forged.items():
            with self.subTest(field=name), self.assertRaises(AccessError):
                mine.with_context(tracking_disable=True).write({name: value})
        self.assertEqual((self.callback.state, self.callback.user_id), ("scheduled", self.agent_1))

    def test_agent_cannot_cancel_reopen_or_take_a_colleagues_callback(self):
        with self.assertRaises(AccessError):
            self.callback.with_user(self.agent_1).action_cancel()
        with self.assertRaisesRegex(UserError, "just taken by"):
            self.other.with_user(self.agent_1).action_assign_to_me()
        self.assertEqual((self.callback.state, self.other.user_id), ("scheduled", self.agent_2))

    def test_supervisor_reassigns_and_cancels_with_a_chatter_trace(self):
        as_supervisor = self.callback.with_user(self.supervisor).with_context(tracking_disable=True)
        as_supervisor.write({"user_id": self.agent_2.id})
        as_supervisor.action_cancel()
        self.env.cr.precommit.run()  # tracking values are written when the transaction ends
        self.assertEqual((self.callback.user_id, self.callback.state), (self.agent_2, "cancelled"))
        tracked = self.callback.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("state", tracked, "the service method tracks the change whatever the context asks")

    def test_agent_service_methods_still_work(self):
        mine = self.callback.with_user(self.agent_1)
        mine.action_start()
        attempt = mine.register_attempt("phone", "reached", duration=60, note="spoke")
        mine.register_result(5, feedback="Fast and fair.")
        self.assertEqual((self.callback.state, attempt.user_id, attempt.duration), ("done", self.agent_1, 60))

    def test_agents_cannot_create_or_copy_callbacks(self):
        with self.assertRaises(AccessError):
            self.env["claim.callback"].with_user(self.agent_1).create(
                {"ticket_id": self.callback.ticket_id.id, "partner_id": self.customer.id}
            )
        with self.assertRaises(AccessError):
            self.callback.with_user(self.supervisor).copy()

    def test_supervisor_create_cannot_set_outcome_or_sla(self):
        with self.assertRaises(AccessError):
            self.env["claim.callback"].with_user(self.supervisor).create(
                {"ticket_id": self.callback.ticket_id.id, "partner_id": self.customer.id, "state": "done"}
            )


@tagged("post_install", "-at_install")
class TestMaskedPhone(IntegrityCase):
    def test_another_agents_view_of_the_number_is_masked_everywhere(self):
        theirs = self.other.with_user(self.agent_1)  # agent_2's callback, agent_1 of the same team
        masked = "+886 • •••• ••89"
        self.assertEqual(theirs.partner_phone_formatted, masked)
        self.agent_1.group_ids |= self.env.ref("base.group_allow_export")
        self.assertEqual(theirs.export_data(["partner_phone_formatted"])["datas"], [[masked]])
        self.assertEqual(theirs.web_read({"partner_phone_formatted": {}})[0]["partner_phone_formatted"], masked)
        Callback = self.env["claim.callback"].with_user(self.agent_1)
        with self.assertRaises(UserError):  # not stored: no lookup by number
            Callback.search([("partner_phone_formatted", "=", "+886 2 2345 6789")])
        with self.assertRaises(UserError):  # not stored: no grouping that reveals it
            Callback._read_group([], ["partner_phone_formatted"])
        self.assertNotIn("partner_phone", Callback._fields)


@tagged("post_install", "-at_install")
class TestAttemptProtection(IntegrityCase):
    def test_attempts_are_not_created_directly(self):
        vals = {
            "callback_id": self.other.id,
            "channel": "phone",
            "outcome": "reached",
            "date": "2020-01-01 00:00:00",
            "cost": 1e9,
            "user_id": self.agent_2.id,
            "external_id": "X-77",
        }
        for user in (self.agent_1, self.manager):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["claim.callback.attempt"].with_user(user).create(vals)
        self.assertFalse(self.other.attempt_ids)

    def test_attempt_copy_is_refused(self):
        attempt = self.callback.with_user(self.agent_1).register_attempt("phone", "busy")
        with self.assertRaises(AccessError):
            attempt.copy()

    def test_external_id_cannot_be_reserved_through_the_context(self):
        attempt = self.callback.with_user(self.agent_1).with_context(
            claim_callback_external_id="generic:X-77"
        ).register_attempt("phone", "busy")
        self.assertFalse(attempt.external_id)

    def test_bad_input_is_a_clear_error_and_writes_nothing(self):
        mine = self.callback.with_user(self.agent_1)
        for args, kwargs in (
            ((["phone"], "busy"), {}),
            (("phone", {"x": 1}), {}),
            (("phone", "busy"), {"duration": 2**31}),
            (("phone", "busy"), {"duration": -1}),
            (("phone", "busy"), {"duration": True}),
            (("phone", "busy"), {"note": {"a": 1}}),
            (("phone", "busy"), {"note": "x" * 10_001}),
            (("phone", "call_back_later"), {"callback_at": "not a date"}),
            (("phone", "call_back_later"), {"callback_at": 12}),
        ):
            with self.subTest(args=args, kwargs=kwargs), self.assertRaises(ValidationError):
                mine.register_attempt(*args, **kwargs)
        for records in (mine.browse(), mine | self.other.with_user(self.agent_1)):
            with self.assertRaises(ValidationError):
                records.register_attempt("phone", "busy")
        self.assertFalse(self.callback.attempt_ids)


@tagged("post_install", "-at_install")
class TestResultInput(IntegrityCase):
    def test_bad_result_input_is_refused_before_anything_is_written(self):
        mine = self.callback.with_user(self.agent_1)
        for kwargs in (
            {"issues": 3},
            {"issues": "abc"},
            {"issues": ["ok", 3]},
            {"issues": ["p"] * 21},
            {"feedback": {"a": 1}},
            {"feedback": ["a"]},
            {"feedback": 7},
            {"feedback": "x" * 10_001},
            {"issues": ["x" * 10_001]},
        ):
            with self.subTest(kwargs=kwargs), self.assertRaises(ValidationError):
                mine.register_result(3, **kwargs)
        self.assertEqual(self.callback.state, "scheduled")
        self.assertFalse(self.callback.feedback_ticket_ids)

    def test_ten_thousand_characters_are_accepted(self):
        self.callback.with_user(self.agent_1).register_result(4, feedback="很好。" * 3333)
        self.assertEqual(self.callback.state, "done")
        self.assertTrue(self.callback.sentiment)


@tagged("post_install", "-at_install")
class TestLedgerAuditFields(IntegrityCase):
    def test_recorder_and_date_are_the_servers_and_system_fields_are_refused(self):
        Entry = self.env["claim.reward.entry"].with_user(self.supervisor)
        entry = Entry.create(
            {"partner_id": self.customer.id, "kind": "adjust", "points": 5, "reason": "goodwill",
             "user_id": self.env.ref("base.user_admin").id, "date": "2025-01-01 00:00:00"}
        )
        self.assertEqual(entry.user_id, self.supervisor)
        self.assertGreater(entry.date, fields.Datetime.to_datetime("2026-01-01"))
        for name, value in (("callback_id", self.callback.id), ("expiry_date", "2030-01-01 00:00:00"),
                            ("origin_id", entry.id)):
            with self.subTest(field=name), self.assertRaises(UserError):
                Entry.create({"partner_id": self.customer.id, "kind": "adjust", "points": 1, "reason": "x",
                              name: value})
        with self.assertRaises(UserError):
            entry.copy()


@tagged("post_install", "-at_install")
class TestSurveyBinding(IntegrityCase):
    def test_a_user_of_another_company_cannot_bind_an_answer_to_a_callback(self):
        survey_user = self._user(
            "icc_survey_b", "survey.group_survey_user", company_id=self.company_b.id,
            company_ids=[Command.set(self.company_b.ids)],
        )
        survey = self.env.ref("insurance_claim_callback.survey_callback")
        Answer = self.env["survey.user_input"].with_user(survey_user)
        with self.assertRaises(AccessError):
            Answer.create({"survey_id": survey.id, "callback_id": self.callback.id})
        own = Answer.create({"survey_id": survey.id})
        with self.assertRaises(AccessError):
            own.write({"callback_id": self.callback.id})
        self.assertEqual(self.callback.state, "scheduled")

    def test_an_answer_without_satisfaction_is_not_closed(self):
        answer = self.callback._get_survey_answer()
        with self.assertRaises(UserError):
            answer._mark_done()
        self.assertNotEqual(answer.state, "done")
        self.assertEqual(self.callback._check_survey_link(*self._link_parts()), "ok", "the link stays usable")

    def _link_parts(self):
        expiry, signature = self.callback._get_survey_url().rsplit("/", 2)[-2:]
        return int(expiry), signature


@tagged("post_install", "-at_install")
class TestIntegrityOverHttp(IntegrityCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_key = cls.env["res.users.apikeys"].with_user(cls.agent_1)._generate(
            None, "agent", fields.Datetime.now() + timedelta(days=1)
        )
        cls.cti_user = cls._user("icc_cti_i", "insurance_claim_callback.group_callback_integration",
                                 callback_capacity=0)
        cls.team.user_ids = [Command.link(cls.cti_user.id)]
        cls.cti_key = cls.env["res.users.apikeys"].with_user(cls.cti_user)._generate(
            None, "cti", fields.Datetime.now() + timedelta(days=1)
        )

    def _post(self, path, body, key):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {key}"}
        return self.url_open(path, data=json.dumps(body), headers=headers)

    def test_json2_write_of_protected_fields_is_forbidden(self):
        for vals in ({"state": "done"}, {"satisfaction": 1}, {"sla_completion_status": "met"},
                     {"user_id": self.agent_2.id}):
            with self.subTest(vals=vals):
                response = self._post("/json/2/claim.callback/write",
                                      {"ids": [self.callback.id], "vals": vals,
                                       "context": {"tracking_disable": True}}, self.agent_key)
                self.assertEqual(response.status_code, 403, response.text)
        response = self._post("/json/2/claim.callback/action_cancel", {"ids": [self.callback.id]}, self.agent_key)
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual((self.callback.state, self.callback.user_id), ("scheduled", self.agent_1))

    def test_json2_attempt_create_is_forbidden(self):
        response = self._post("/json/2/claim.callback.attempt/create",
                              {"vals_list": [{"callback_id": self.other.id, "channel": "phone",
                                              "outcome": "reached", "cost": 1e9}]}, self.agent_key)
        self.assertEqual(response.status_code, 403, response.text)
        self.assertFalse(self.other.attempt_ids)

    def test_json2_bad_attempt_input_is_4xx(self):
        for body in ({"ids": [self.callback.id], "channel": ["phone"], "outcome": "busy"},
                     {"ids": [self.callback.id], "channel": "phone", "outcome": "busy", "duration": 2**31},
                     {"ids": [], "channel": "phone", "outcome": "busy"},
                     {"ids": [self.callback.id], "channel": "phone", "outcome": "call_back_later",
                      "callback_at": "tomorrow"}):
            with self.subTest(body=body):
                response = self._post("/json/2/claim.callback/register_attempt", body, self.agent_key)
                self.assertEqual(response.status_code, 422, response.text)
        self.assertFalse(self.callback.attempt_ids)

    def test_cti_call_ids_are_per_company(self):
        # an attempt of company B with call id X-77 already exists
        claim_b = self._claim(stage_id=self.stage_done.id, company_id=self.company_b.id, team_id=False,
                              claim_number="CLM-B-1")
        self.env["claim.callback"]._schedule_first_callbacks(10, [("id", "=", claim_b.id)])
        claim_b.callback_ids._register_attempt("phone", "busy", external_id="generic:X-77")
        body = {"call_id": "X-77", "callback_id": self.callback.id, "result": "BUSY", "duration": 0}
        response = self._post("/claim_callback/cti/generic", body, self.cti_key)
        self.assertEqual((response.status_code, response.json()["duplicate"]), (201, False), response.text)
        response = self._post("/claim_callback/cti/generic", body, self.cti_key)
        self.assertEqual((response.status_code, response.json()["duplicate"]), (200, True))

    def test_cti_bad_input_is_4xx(self):
        for body in ({"call_id": "A", "callback_id": True, "result": "BUSY"},
                     {"call_id": "A", "callback_id": self.callback.id, "result": "BUSY", "duration": 2**31},
                     {"call_id": "A", "callback_id": 2**40, "result": "BUSY"},
                     {"call_id": ["A"], "callback_id": self.callback.id, "result": "BUSY"}):
            with self.subTest(body=body):
                response = self._post("/claim_callback/cti/generic", body, self.cti_key)
                self.assertIn(response.status_code, (404, 422), response.text)
        self.assertFalse(self.callback.attempt_ids)

    def test_survey_link_with_a_non_ascii_signature_is_403(self):
        expiry = int(fields.Datetime.now().timestamp()) + 3600
        response = self.url_open(f"/claim_callback/survey/{self.callback.id}/{expiry}/%E4%BD%A0%E5%A5%BD")
        self.assertEqual(response.status_code, 403)
        response = self.url_open(f"/claim_callback/survey/{2**40}/{expiry}/abc")
        self.assertEqual(response.status_code, 403)
