"""Doors found after the integrity work (issue 19): context defaults of protected fields,
hand-written computed status, cross-company assignment and points, telephony call ids,
the partner merge — each refused through the door it was found on."""

import json
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import AGENT
from .test_integrity import IntegrityCase


class DoorsCase(IntegrityCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        b_only = {"company_id": cls.company_b.id, "company_ids": [Command.set(cls.company_b.ids)]}
        cls.agent_b = cls._user("icc_agent_b", AGENT, **b_only)
        cls.survey_user_b = cls._user("icc_survey_b", "base.group_user,survey.group_survey_user", **b_only)
        cls.customer_b = cls.env["res.partner"].create({"name": "Lin Wei", "company_id": cls.company_b.id})
        cls.env["claim.reward.entry"].create(
            {"partner_id": cls.customer.id, "kind": "adjust", "points": 50, "reason": "welcome"}
        )


@tagged("post_install", "-at_install")
class TestProtectedDefaults(DoorsCase):
    def test_users_cannot_give_protected_fields_as_context_defaults(self):
        survey = self.env.ref("insurance_claim_callback.survey_callback")
        cases = [
            (
                self.survey_user_b,
                "survey.user_input",
                {"survey_id": survey.id},
                {"default_callback_id": self.callback.id},
            ),
            (self.supervisor, "claim.callback", {"ticket_id": self._claim().id}, {"default_state": "done"}),
            (self.supervisor, "claim.callback", {"ticket_id": self._claim().id}, {"default_satisfaction": 5}),
            (
                self.supervisor,
                "claim.reward.entry",
                {"partner_id": self.customer.id, "points": 5, "reason": "x"},
                {"default_kind": "earn", "default_callback_id": self.callback.id},
            ),
            (
                self.supervisor,
                "claim.reward.entry",
                {"partner_id": self.customer.id, "kind": "adjust", "points": 5, "reason": "x"},
                {"default_expiry_date": "2030-01-01"},
            ),
            (
                self.supervisor,
                "helpdesk.ticket",
                {"name": "Issue", "description": "x", "team_id": self.team.id},
                {"default_source_callback_id": self.callback.id},
            ),
            (
                self.supervisor,
                "helpdesk.ticket",
                {"name": "Issue", "description": "x", "team_id": self.team.id},
                {"default_callback_status": "satisfied"},
            ),
        ]
        for user, model, vals, context in cases:
            with self.subTest(model=model, context=context), self.assertRaises(AccessError):
                self.env[model].with_user(user).with_context(**context).create(vals)
        self.assertFalse(self.callback.survey_answer_ids)
        self.assertEqual(self.env["claim.reward.entry"].search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_agent_cannot_record_a_telephony_call_id(self):
        with self.assertRaises(AccessError):
            self.callback.with_user(self.agent_1)._register_attempt("phone", "busy", external_id="generic:X-1")
        self.assertFalse(self.callback.attempt_ids)


@tagged("post_install", "-at_install")
class TestAssignmentCompany(DoorsCase):
    def test_a_callback_goes_to_a_callback_agent_of_its_company(self):
        mine = self.callback.with_user(self.supervisor)
        for user in (self.agent_b, self.helpdesk_user):
            with self.subTest(user=user.login), self.assertRaises(ValidationError):
                mine.write({"user_id": user.id})
        with self.assertRaises(ValidationError):
            (mine | self.other.with_user(self.supervisor)).write({"user_id": self.agent_b.id})
        self.assertEqual((self.callback.user_id, self.other.user_id), (self.agent_1, self.agent_2))
        mine.write({"user_id": self.agent_2.id})
        self.assertEqual(self.callback.user_id, self.agent_2)


@tagged("post_install", "-at_install")
class TestLedgerBounds(DoorsCase):
    def test_points_of_another_companys_customer_are_refused(self):
        with self.assertRaises(AccessError):  # a wizard on a customer the supervisor cannot read is refused
            self.env["claim.reward.adjust"].with_user(self.supervisor).create(
                {"partner_id": self.customer_b.id, "points": 10, "reason": "goodwill"}
            )
        with self.assertRaises(AccessError):
            self.env["claim.reward.entry"].with_user(self.supervisor).create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company_b.id,
                    "kind": "adjust",
                    "points": 5,
                    "reason": "x",
                }
            )
        self.assertFalse(self.env["claim.reward.entry"].search_count([("partner_id", "=", self.customer_b.id)]))

    def test_typed_points_and_reasons_are_checked_as_given(self):
        Redeem = self.env["claim.partner.redeem"].with_user(self.supervisor)
        Adjust = self.env["claim.reward.adjust"].with_user(self.supervisor)
        for vals in (
            {"points": 1.5},
            {"points": "3"},
            {"points": 2**31},
            {"points": -(2**31)},
            {"reason": "x" * 1001},
            {"reason": "a\x00b"},
        ):
            with self.subTest(vals=vals):
                with self.assertRaises(ValidationError):
                    Redeem.create({"partner_id": self.customer.id, "points": 1, "reason": "gift", **vals})
                with self.assertRaises(ValidationError):
                    Adjust.create({"partner_id": self.customer.id, "points": 1, "reason": "fix", **vals})
                with self.assertRaises(ValidationError):
                    Adjust.with_context(**{f"default_{k}": v for k, v in vals.items()}).create(
                        {"partner_id": self.customer.id}
                    )
        with self.assertRaises(ValidationError):
            self.customer.with_user(self.supervisor).reward_redeem(2**31, reason="gift")
        Redeem.create({"partner_id": self.customer.id, "points": 5, "reason": "x" * 1000}).action_confirm()
        self.assertEqual(self.customer.with_user(self.supervisor).reward_points, 45)


@tagged("post_install", "-at_install")
class TestPartnerMergeKeepsTheLedger(DoorsCase):
    def _merge(self, partners, destination):
        wizard = (
            self.env["base.partner.merge.automatic.wizard"]
            .with_user(self.env.ref("base.user_admin"))
            .create({"partner_ids": [Command.set(partners.ids)], "dst_partner_id": destination.id})
        )
        return wizard.action_merge()

    def test_a_customer_with_ledger_entries_is_never_merged_away(self):
        duplicate = self.env["res.partner"].create({"name": "Chen Mei Ling", "email": "mei@example.com"})
        entries = self.env["claim.reward.entry"].search([("partner_id", "=", self.customer.id)])
        with self.assertRaises(UserError):
            self._merge(self.customer | duplicate, duplicate)
        self.assertTrue(self.customer.exists())
        self.assertEqual(entries.partner_id, self.customer, "the ledger keeps its history")
        self._merge(self.customer | duplicate, self.customer)
        self.assertFalse(duplicate.exists())
        self.assertEqual(entries.partner_id, self.customer)


@tagged("post_install", "-at_install")
class TestDoorsOverHttp(DoorsCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cti_user = cls._user(
            "icc_cti_d", "insurance_claim_callback.group_callback_integration", callback_capacity=0
        )
        cls.team.user_ids = [Command.link(cls.cti_user.id)]
        cls.keys = {
            user: cls.env["res.users.apikeys"]
            .with_user(user)
            ._generate(None, "doors", fields.Datetime.now() + timedelta(days=1))
            for user in (cls.agent_1, cls.supervisor, cls.survey_user_b, cls.cti_user)
        }

    def _post(self, path, body, user):
        headers = {
            "Content-Type": "application/json",
            "X-Odoo-Database": self.env.cr.dbname,
            "Authorization": f"bearer {self.keys[user]}",
        }
        return self.url_open(path, data=json.dumps(body), headers=headers)

    def test_another_companys_survey_user_cannot_bind_an_answer_through_the_context(self):
        survey = self.env.ref("insurance_claim_callback.survey_callback")
        forged = self._post(
            "/json/2/survey.user_input/create",
            {"vals_list": [{"survey_id": survey.id}], "context": {"default_callback_id": self.callback.id}},
            self.survey_user_b,
        )
        self._post("/json/2/survey.user_input/create", {"vals_list": [{"survey_id": survey.id}]}, self.survey_user_b)
        # whatever answer that user holds, the customer's public pages submit it: company A's callback stays open
        answers = self.env["survey.user_input"].search([("create_uid", "=", self.survey_user_b.id)])
        self.assertTrue(answers)
        ref = self.env.ref
        post = {
            str(ref("insurance_claim_callback.survey_question_satisfaction").id): "1",
            str(ref("insurance_claim_callback.survey_question_problems").id): "Forged complaint",
        }
        for answer in answers:
            self.url_open(f"/survey/submit/{survey.access_token}/{answer.access_token}", json={"params": post})
        self.assertEqual(self.callback.state, "scheduled")
        self.assertFalse(self.callback.feedback_ticket_ids)
        self.assertFalse(answers.callback_id)
        self.assertEqual(forged.status_code, 403, forged.text)

    def test_supervisor_cannot_write_the_claims_callback_status(self):
        claim = self.callback.ticket_id
        self.assertEqual(claim.callback_status, "pending")
        for vals in ({"callback_status": "satisfied"}, {"source_callback_id": self.other.id}):
            with self.subTest(vals=vals):
                response = self._post(
                    "/json/2/helpdesk.ticket/write", {"ids": [claim.id], "vals": vals}, self.supervisor
                )
                self.assertEqual(response.status_code, 403, response.text)
        response = self._post(
            "/json/2/helpdesk.ticket/create",
            {
                "vals_list": [{"name": "Claim", "description": "x", "team_id": self.team.id}],
                "context": {"default_callback_status": "satisfied"},
            },
            self.supervisor,
        )
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(claim.callback_status, "pending")

    def test_supervisor_cannot_assign_another_companys_agent(self):
        response = self._post(
            "/json/2/claim.callback/write",
            {"ids": [self.callback.id], "vals": {"user_id": self.agent_b.id}},
            self.supervisor,
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(self.callback.user_id, self.agent_1)

    def test_supervisor_cannot_adjust_points_of_another_companys_customer(self):
        response = self._post(
            "/json/2/claim.reward.adjust/create",
            {"vals_list": [{"partner_id": self.customer_b.id, "points": 500, "reason": "x"}]},
            self.supervisor,
        )
        self.assertEqual(response.status_code, 403, response.text)  # a customer the supervisor cannot read
        self.assertFalse(self.env["claim.reward.entry"].search_count([("partner_id", "=", self.customer_b.id)]))

    def test_bad_redeem_input_is_4xx_and_redeems_nothing(self):
        for vals in ({"points": 1.5}, {"points": 2**31}, {"reason": "x" * 100_000}):
            with self.subTest(vals=vals):
                response = self._post(
                    "/json/2/claim.partner.redeem/create",
                    {"vals_list": [{"partner_id": self.customer.id, "points": 5, "reason": "gift", **vals}]},
                    self.supervisor,
                )
                self.assertEqual(response.status_code, 422, response.text)
        response = self._post(
            "/json/2/res.partner/reward_redeem", {"ids": [self.customer.id], "points": 2**31}, self.supervisor
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertEqual(self.customer.with_user(self.supervisor).reward_points, 50)

    def test_only_the_integration_user_posts_call_ids(self):
        body = {"call_id": "X-77", "callback_id": self.callback.id, "result": "BUSY", "duration": 0}
        response = self._post("/claim_callback/cti/generic", body, self.agent_1)
        self.assertEqual(response.status_code, 403, response.text)
        response = self._post(
            "/json/2/claim.callback/register_attempt",
            {
                "ids": [self.callback.id],
                "channel": "phone",
                "outcome": "busy",
                "context": {"default_external_id": "generic:X-77"},
            },
            self.agent_1,
        )
        self.assertEqual(response.status_code, 200, response.text)
        response = self._post(
            "/json/2/claim.callback/register_attempt",
            {"ids": [self.callback.id], "channel": "phone", "outcome": "busy", "external_id": "generic:X-77"},
            self.agent_1,
        )
        self.assertEqual(response.status_code, 422, response.text)
        self.assertFalse(self.callback.attempt_ids.external_id)
        response = self._post("/claim_callback/cti/generic", body, self.cti_user)
        self.assertEqual((response.status_code, response.json()["duplicate"]), (201, False), response.text)

    def test_nul_characters_in_the_webhook_are_4xx(self):
        for body in (
            {"call_id": "X\x0078", "callback_id": self.callback.id, "result": "BUSY"},
            {"call_id": "X-78", "callback_id": self.callback.id, "result": "BUSY", "note": "a\x00b"},
        ):
            with self.subTest(body=body):
                response = self._post("/claim_callback/cti/generic", body, self.cti_user)
                self.assertEqual(response.status_code, 422, response.text)
        self.assertFalse(self.callback.attempt_ids)
