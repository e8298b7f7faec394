"""Shared records have an owner (README: Security and privacy): feedback topics belong to a company or are
shared and edited by administrators only, the customer's callback risk is per company and for internal users
only, and questionnaire answers stay in their callback's company."""

import json
import time
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from ..lib import topics
from ..models.claim_feedback_topic import MAX_COMPANY_TOPICS
from .common import AGENT, MANAGER, CallbackCase


class OwnersCase(CallbackCase):
    """Company B with its team, agent, manager and a claim of the shared customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Topic = cls.env["claim.feedback.topic"]
        cls.agent_b = cls._user("icc_owners_agent_b", AGENT, company_id=cls.company_b.id)
        cls.manager_b = cls._user("icc_owners_manager_b", MANAGER, company_id=cls.company_b.id)
        cls.team_b = cls.env["helpdesk.ticket.team"].create(
            {"name": "Claims B", "company_id": cls.company_b.id, "user_ids": [Command.set(cls.agent_b.ids)]}
        )

    def _callback(self, company=None, partner=None):
        team = self.team_b if company == self.company_b else self.team
        claim = self._claim(team_id=team.id, company_id=team.company_id.id or self.company.id,
                            partner_id=(partner or self.customer).id)
        return self.env["claim.callback"].create({
            "ticket_id": claim.id, "partner_id": claim.partner_id.id, "company_id": claim.company_id.id,
            "team_id": team.id,
        })

    def _done(self, callbacks, topic, days_ago=0):
        callbacks.write({"state": "done", "satisfaction": 4,
                         "completed_date": fields.Datetime.now() - timedelta(days=days_ago)})
        # attached directly, as topics of another company could be before they had an owner
        self.env.flush_all()
        self.env.cr.executemany(
            "INSERT INTO claim_callback_topic_rel (callback_id, topic_id) VALUES (%s, %s)",
            [(callback.id, topic.id) for callback in callbacks],
        )
        callbacks.invalidate_recordset(["topic_ids"])


@tagged("post_install", "-at_install")
class TestTopicOwnership(OwnersCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.seeded = cls.env.ref("insurance_claim_callback.feedback_topic_payout_speed")
        cls.topic_a = cls.Topic.create(
            {"name": "Roadside", "code": "roadside", "keywords": "tow truck", "company_id": cls.company.id}
        )

    def test_seeded_topics_are_shared(self):
        self.assertFalse(self.seeded.company_id)
        self.assertEqual(self.Topic.with_user(self.manager_b).create({"name": "B", "code": "b"}).company_id,
                         self.company_b, "a manager's topic belongs to his company")

    def test_a_manager_cannot_change_shared_or_other_company_topics(self):
        for topic in (self.seeded, self.topic_a):
            with self.assertRaises(AccessError):
                topic.with_user(self.manager_b).write({"name": "Renamed"})
            with self.assertRaises(AccessError):
                topic.with_user(self.manager_b).action_archive()
            with self.assertRaises(AccessError):
                topic.with_user(self.manager_b).write({"keywords": "a\ne"})
            with self.assertRaises(AccessError):
                topic.with_user(self.manager_b).update_field_translations("name", {"en_US": "Renamed"})
            with self.assertRaises(AccessError):
                topic.with_user(self.manager_b).unlink()
        self.assertEqual((self.seeded.name, self.seeded.active), ("Payout speed", True))
        self.assertEqual((self.topic_a.name, self.topic_a.active), ("Roadside", True))
        self.assertFalse(self.Topic.with_user(self.manager_b).search([("id", "=", self.topic_a.id)]),
                         "another company's topics are not even found")

    def test_a_manager_creates_and_moves_topics_only_within_his_companies(self):
        Topic = self.Topic.with_user(self.manager_b)
        for context, vals in (
            ({}, {"company_id": False}),
            ({"default_company_id": False}, {}),
            ({}, {"company_id": self.company.id}),
            ({"default_company_id": self.company.id}, {}),
        ):
            with self.assertRaises(AccessError):
                Topic.with_context(**context).create({"name": "Vowels", "code": "vowels", **vals})
        self.assertFalse(self.Topic.with_context(active_test=False).search([("code", "=", "vowels")]))
        own = Topic.create({"name": "Vowels", "code": "vowels", "keywords": "a\ne"})
        for company in (False, self.company.id):
            with self.assertRaises(AccessError):
                own.write({"company_id": company})
        own.write({"name": "Vowels B"})
        own.action_archive()
        self.assertEqual((own.company_id, own.name, own.active), (self.company_b, "Vowels B", False))

    def test_administrators_edit_the_shared_topics(self):
        admin = self.env.ref("base.user_admin")
        self.seeded.with_user(admin).write({"description": "Time to pay"})
        shared = self.Topic.with_user(admin).create({"name": "Shared", "code": "shared", "company_id": False})
        self.assertFalse(shared.company_id)

    def test_a_company_topic_applies_only_to_its_own_callbacks(self):
        vowels = self.Topic.with_user(self.manager_b).create({"name": "Vowels", "code": "vowels", "keywords": "a\ne"})
        callback_a, callback_b = self._callback(), self._callback(self.company_b)
        for callback in (callback_a, callback_b):
            callback.register_result(4, feedback="The payout was late")
        self.assertNotIn(vowels, callback_a.topic_ids)
        self.assertIn(vowels, callback_b.topic_ids)
        with self.assertRaises(AccessError):
            callback_a.with_user(self.supervisor).write({"topic_ids": [Command.link(vowels.id)]})
        with self.assertRaises(UserError) as caught:  # even by whoever reads both companies
            callback_a.write({"topic_ids": [Command.link(vowels.id)]})
        self.assertNotIsInstance(caught.exception, AccessError)
        callback_a.with_user(self.supervisor).write({"topic_ids": [Command.link(self.topic_a.id)]})
        self.assertNotIn(vowels, callback_a.topic_ids)

    def test_a_company_topic_counts_only_in_its_company(self):
        vowels = self.Topic.with_user(self.manager_b).create({"name": "Vowels", "code": "vowels", "keywords": "a\ne"})
        callbacks = self._callback() | self._callback() | self._callback()
        self._done(callbacks, vowels)
        self._done(callbacks[:1], self.seeded)
        kpi = self.env["claim.callback.kpi"].create(
            {"month": fields.Date.today().replace(day=1), "company_id": self.company.id}
        )
        self.assertEqual([t["name"] for t in kpi._get_top_topics()], [self.seeded.name])
        self.company.write({"callback_risk_topic_min": 1, "callback_risk_topic_factor": 1.0})
        spikes = self.env["claim.risk.warning"]._find_topic_spike()
        self.assertNotIn(vowels.id, {key[3] for key in spikes}, "company B's topic is no spike of company A")
        self.assertIn((self.company.id, False, False, self.seeded.id, False), spikes)

    def test_keywords_are_bounded(self):
        Topic = self.Topic.with_user(self.manager_b)
        for keywords in (
            "\n".join(f"word {i}" for i in range(101)),
            "x" * 61,
            ("tow truck " * 5 + "\n") * 20_000,  # 1 MB
            " " * 100_000 + "tow",
        ):
            with self.assertRaises(ValidationError):
                Topic.create({"name": "Many", "code": "many", "keywords": keywords})
        own = Topic.create({"name": "Many", "code": "many", "keywords": "\n".join(f"word {i}" for i in range(100))})
        with self.assertRaises(ValidationError):
            own.write({"keywords": "y" * 61})

    def test_a_company_has_a_bounded_number_of_own_topics(self):
        Topic = self.Topic.with_user(self.manager_b)
        Topic.create([{"name": f"Topic {i}", "code": f"t{i}"} for i in range(MAX_COMPANY_TOPICS)])
        with self.assertRaises(ValidationError):
            Topic.create({"name": "One more", "code": "one_more"})
        Topic.search([("code", "=", "t0")]).action_archive()
        Topic.create({"name": "One more", "code": "one_more"})

    def test_keywords_match_in_time_linear_in_the_text(self):
        # 100 keywords of 60 characters sharing 58: a plain alternation tries each at every character
        keywords = tuple("a" * 58 + a + b for a in "bcdefghijk" for b in "bcdefghijk")
        pattern = topics.keywords_pattern(keywords)
        started = time.perf_counter()
        self.assertIsNone(pattern.search("a" * 200_000))
        self.assertLess(time.perf_counter() - started, 2.0)
        self.assertTrue(pattern.search("x" + "a" * 58 + "kb"))

    def test_keywords_match_anywhere_in_the_text_whatever_the_case(self):
        roadside = self.topic_a
        found = self.Topic._classify(["The TOW TRUCK came late", "拖车"], self.company)
        self.assertIn(roadside, found)
        self.assertNotIn(roadside, self.Topic._classify(["The TOW TRUCK came late"], self.company_b))


@tagged("post_install", "-at_install")
class TestOwnersOverHttp(OwnersCase, HttpCase):
    """The doors of the report: company B's manager and agent over JSON-2 with their API keys."""

    def _post(self, method, body, user=None, model="claim.feedback.topic"):
        key = self.env["res.users.apikeys"].with_user(user or self.manager_b)._generate(
            None, "owners", fields.Datetime.now() + timedelta(days=1)
        )
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {key}"}
        return self.url_open(f"/json/2/{model}/{method}", data=json.dumps(body), headers=headers)

    def test_json2_another_company_risk_is_not_found(self):
        self._callback().register_result(2)
        body = {"domain": [["callback_risk", "=", "high"]], "fields": ["callback_risk", "callback_risk_reason"]}
        response = self._post("search_read", body, self.agent_b, "res.partner")
        self.assertEqual(response.status_code, 200, response.text[:500])
        self.assertNotIn(self.customer.id, [row["id"] for row in response.json()])
        response = self._post("read", {"ids": [self.customer.id], "fields": ["callback_risk", "callback_risk_reason"]},
                              self.agent_b, "res.partner")
        self.assertEqual(response.json(), [{"id": self.customer.id, "callback_risk": "none",
                                            "callback_risk_reason": False}])
        response = self._post("search_read", body, self.agent_1, "res.partner")
        self.assertIn(self.customer.id, [row["id"] for row in response.json()])

    def test_json2_shared_topics_are_not_renamed_archived_or_added(self):
        seeded = self.env.ref("insurance_claim_callback.feedback_topic_payout_speed")
        for method, body in (
            ("write", {"ids": [seeded.id], "vals": {"name": "Renamed"}}),
            ("action_archive", {"ids": [seeded.id]}),
            ("create", {"vals_list": [{"name": "Vowels", "code": "vowels", "keywords": "a\ne"}],
                        "context": {"default_company_id": False}}),
            ("create", {"vals_list": [{"name": "Vowels", "code": "vowels", "company_id": self.company.id}]}),
        ):
            with self.subTest(method=method, body=body):
                self.assertEqual(self._post(method, body).status_code, 403)
        self.assertEqual((seeded.name, seeded.active), ("Payout speed", True))
        self.assertFalse(self.Topic.with_context(active_test=False).search([("code", "=", "vowels")]))

    def test_json2_oversized_keywords_are_refused(self):
        response = self._post("create", {"vals_list": [{"name": "Big", "code": "big", "keywords": "ab\n" * 350_000}]})
        self.assertEqual(response.status_code, 422, response.text[:500])
        self.assertFalse(self.Topic.search([("code", "=", "big")]))


@tagged("post_install", "-at_install")
class TestCallbackRiskPerCompany(OwnersCase):
    def test_the_risk_of_one_company_is_not_seen_in_another(self):
        self._callback().register_result(2)
        self.assertEqual(self.customer.callback_risk, "high")
        self.assertEqual(self.customer.with_user(self.agent_1).callback_risk, "high")
        Partner = self.env["res.partner"].with_user(self.agent_b)
        self.assertNotIn(self.customer, Partner.search([("callback_risk", "=", "high")]))
        self.assertEqual((self.customer.with_user(self.agent_b).callback_risk,
                          self.customer.with_user(self.agent_b).callback_risk_reason), ("none", False))
        self.assertIn(self.customer, Partner.search([("callback_risk", "=", "none"), ("id", "=", self.customer.id)]))

        self._callback(self.company_b).register_result(3)
        self.assertEqual(self.customer.with_user(self.agent_b).callback_risk, "watch")
        self.assertEqual(self.customer.with_user(self.agent_1).callback_risk, "high")

    def test_the_risk_is_not_set_by_hand(self):
        self._callback().register_result(1)
        editor = self._user("icc_owners_contacts", f"{AGENT},base.group_partner_manager")
        customer = self.customer.with_user(editor)
        for vals in ({"callback_risk": "none"}, {"callback_risk_reason": False}):
            with self.assertRaises(AccessError):
                customer.write(vals)
        with self.assertRaises(AccessError):
            customer.create({"name": "Forged", "callback_risk": "high"})
        with self.assertRaises(AccessError):
            customer.with_context(default_callback_risk="high").create({"name": "Forged"})
        self.assertEqual(self.customer.callback_risk, "high")
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Forged")]))
        customer.write({"phone": "+886223456780"})

    def test_a_merged_customer_gets_the_risk_of_what_it_now_has(self):
        twin = self.env["res.partner"].create({"name": "Chen Mei-Ling", "email": "mei@example.com"})
        self.env["helpdesk.ticket"].create(
            {"name": "Complaint", "description": "Unhappy", "is_complaint": True, "partner_id": twin.id}
        )
        self.env["res.partner"]._update_callback_risk(twin)
        self.assertEqual((twin.callback_risk, self.customer.callback_risk), ("high", "none"))
        admin = self.env.ref("base.user_admin")
        self.env["base.partner.merge.automatic.wizard"].with_user(admin)._merge(
            (twin | self.customer).ids, self.customer
        )
        self.assertFalse(twin.exists())
        self.assertEqual((self.customer.callback_risk, self.customer.callback_risk_reason), ("high", "open_complaint"))
        self.assertEqual(self.customer.with_company(self.company_b).callback_risk, "none")

    def test_a_portal_customer_cannot_read_their_risk(self):
        portal = new_test_user(self.env, login="icc_owners_portal", groups="base.group_portal")
        self._callback(partner=portal.partner_id).register_result(1)
        self.assertEqual(portal.partner_id.callback_risk, "high")
        with self.assertRaises(AccessError):
            portal.partner_id.with_user(portal).read(["callback_risk"])
        with self.assertRaises(AccessError):
            portal.partner_id.with_user(portal).read(["callback_risk_reason"])
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(portal).search([("callback_risk", "=", "high")])
        self.assertNotIn("callback_risk", portal.partner_id.with_user(portal).fields_get())

    def test_customer_at_risk_warnings_open_per_company(self):
        Warning = self.env["claim.risk.warning"]
        self._callback().register_result(2)
        Warning._check_risks()
        warnings = Warning.search([("kind", "=", "customer_at_risk"), ("state", "=", "open")])
        self.assertEqual((warnings.company_id, warnings.partner_id), (self.company, self.customer))

        self.env["helpdesk.ticket"].create({"name": "Complaint", "description": "Unhappy", "is_complaint": True,
                                            "partner_id": self.customer.id, "company_id": self.company_b.id,
                                            "team_id": self.team_b.id})
        Warning._check_risks()
        warnings = Warning.search([("kind", "=", "customer_at_risk"), ("state", "=", "open")])
        self.assertEqual(warnings.company_id, self.company | self.company_b)
        self.assertEqual(self.customer.with_company(self.company_b).callback_risk_reason, "open_complaint")
        self.assertEqual(self.customer.callback_risk_reason, "low_satisfaction")

        self._callback().register_result(5)
        Warning._check_risks()
        warnings = Warning.search([("kind", "=", "customer_at_risk"), ("state", "=", "open")])
        self.assertEqual(warnings.company_id, self.company_b, "company A's warning resolved, company B's stays")


@tagged("post_install", "-at_install")
class TestQuestionnaireAnswerIsolation(OwnersCase):
    def test_a_survey_officer_of_another_company_cannot_read_the_answers(self):
        callback = self._callback()
        answer = callback._get_survey_answer()
        answer._save_lines(self.env.ref("insurance_claim_callback.survey_question_satisfaction"), "2")
        lines = answer.user_input_line_ids
        self.assertTrue(lines)
        for group in ("survey.group_survey_user", "survey.group_survey_manager"):
            officer_b = self._user(f"icc_owners_{group}_b", group, company_id=self.company_b.id)
            officer_a = self._user(f"icc_owners_{group}_a", group)
            for model, records in (("survey.user_input", answer), ("survey.user_input.line", lines)):
                Model = self.env[model].with_user(officer_b)
                self.assertFalse(Model.search([("id", "in", records.ids)]), model)
                self.assertFalse(Model.formatted_read_group([("id", "in", records.ids)], ["survey_id"], ["__count"]))
                with self.assertRaises(AccessError):
                    records.with_user(officer_b).read(["create_date"])
                self.assertEqual(self.env[model].with_user(officer_a).search([("id", "in", records.ids)]), records,
                                 "the callback's company reads them")
