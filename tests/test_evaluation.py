import json
import random
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from .common import MANAGER, SUPERVISOR, CallbackCase

WATERMARK = "insurance_claim_callback.quality_sampled_until.%s"
QUESTIONS = ("greeting", "privacy", "empathy", "payout", "solution", "script", "closing")


class EvaluationCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Evaluation = cls.env["claim.callback.evaluation"]
        cls.other_supervisor = cls._user("icc_supervisor_2", SUPERVISOR)
        cls.other_team.user_id = cls.other_supervisor
        cls.manager_b = cls._user("icc_manager_b", MANAGER, company_id=cls.company_b.id)
        cls.company.callback_qa_sample_share = 0

    def _done(self, agent=None, satisfaction=5, team=None, claim_vals=None, **result):
        """A completed callback of `agent`."""
        claim = self._closed_claims(1, team_id=(team or self.team).id, **(claim_vals or {}))
        self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = agent or self.agent_1
        callback.register_result(satisfaction, **result)
        return callback

    def _sample(self, seed=1):
        return self.Evaluation._sample_quality(self.company, rng=random.Random(seed))

    def _answer_scorecard(self, evaluation, choices=None):
        """Fill the evaluation's open scorecard (`choices`: question key -> yes / partly / no) and submit it."""
        answer = evaluation.sudo().survey_answer_id
        for key in QUESTIONS:
            question = self.env.ref(f"insurance_claim_callback.survey_quality_question_{key}")
            choice = self.env.ref(
                f"insurance_claim_callback.survey_quality_question_{key}_{(choices or {}).get(key, 'yes')}"
            )
            answer._save_lines(question, choice.id)
        answer._mark_done()
        return answer


@tagged("post_install", "-at_install")
class TestQualitySampling(EvaluationCase):
    """SPEC §10's weekly sampling: reasons, random share, one per agent, never twice, the watermark."""

    def test_reason_is_the_first_that_applies(self):
        low = self._done(satisfaction=2, issues=[{"name": "Too slow", "is_complaint": True}])
        complaint = self._done(satisfaction=4, issues=[{"name": "Rude", "is_complaint": True}])
        negative = self._done(satisfaction=4)
        negative.sudo().sentiment = "negative"
        fine = self._done(satisfaction=5)
        evaluations = self._sample()
        reasons = {evaluation.callback_id: evaluation.reason for evaluation in evaluations}
        self.assertEqual(reasons[low], "low_satisfaction")
        self.assertEqual(reasons[complaint], "complaint")
        self.assertEqual(reasons[negative], "negative_sentiment")
        self.assertNotIn(fine, reasons, "share 0 %: the agent already has sampled callbacks")
        self.assertEqual(set(evaluations.mapped("state")), {"todo"})
        self.assertEqual(evaluations.user_id, self.agent_1)
        self.assertEqual(evaluations.company_id, self.company)

    def test_random_share_is_drawn_from_the_rest_with_the_given_random(self):
        self.company.callback_qa_sample_share = 50
        callbacks = self._done() | self._done() | self._done() | self._done()
        evaluations = self._sample(seed=7)
        expected = random.Random(7).sample(list(callbacks.sorted("id").ids), 2)
        self.assertEqual(sorted(evaluations.callback_id.ids), sorted(expected))
        self.assertEqual(set(evaluations.mapped("reason")), {"random"})

    def test_at_least_one_per_agent_who_completed_any(self):
        self._done(self.agent_1) | self._done(self.agent_1) | self._done(self.agent_1)
        self._done(self.agent_2)
        low_other = self._done(self.agent_other_team, satisfaction=1, team=self.other_team)
        self._done(self.agent_other_team, team=self.other_team)
        evaluations = self._sample()
        by_agent = {agent: evaluations.filtered(lambda e, a=agent: e.user_id == a) for agent in evaluations.user_id}
        self.assertEqual(set(by_agent), {self.agent_1, self.agent_2, self.agent_other_team})
        self.assertEqual(len(by_agent[self.agent_1]), 1)
        self.assertEqual(by_agent[self.agent_1].reason, "random")
        self.assertEqual(by_agent[self.agent_other_team].callback_id, low_other,
                         "covered by its low satisfaction: no random one on top")

    def test_never_twice_and_only_since_the_last_run(self):
        self.company.callback_qa_sample_share = 100
        old = self._done()
        old.sudo().completed_date = fields.Datetime.now() - timedelta(days=8)
        first = self._done()
        manual = self._done()
        self.Evaluation.sudo().create({"callback_id": manual.id, "reason": "manual"})
        evaluations = self._sample()
        self.assertEqual(evaluations.callback_id, first, "first run: the last 7 days, not the evaluated one")
        watermark = self.env["ir.config_parameter"].sudo().get_param(WATERMARK % self.company.id)
        self.assertTrue(watermark)
        self.assertFalse(self._sample(), "a rerun creates nothing twice")
        later = self._done()
        later.sudo().completed_date = fields.Datetime.now() + timedelta(seconds=5)
        with self.assertRaises(ValidationError):
            self.Evaluation.sudo().create({"callback_id": first.id, "reason": "manual"})
        self.assertFalse(self._sample(), "completed after this run's time: the next run's")
        self.assertEqual(self.Evaluation.search_count([("callback_id", "=", first.id)]), 1)

    def test_next_run_takes_what_was_completed_since(self):
        self.company.callback_qa_sample_share = 100
        self._sample()
        self.env["ir.config_parameter"].sudo().set_param(
            WATERMARK % self.company.id, fields.Datetime.to_string(fields.Datetime.now() - timedelta(minutes=1))
        )
        new = self._done()
        self.assertEqual(self._sample().callback_id, new)

    def test_evaluator_is_the_team_leader_with_an_activity_else_a_company_supervisor(self):
        mine = self._done(satisfaction=1)
        leaderless_team = self.env["helpdesk.ticket.team"].create(
            {"name": "No leader", "user_ids": [Command.set(self.agent_2.ids)]}
        )
        other = self._done(self.agent_2, satisfaction=1, team=leaderless_team)
        evaluations = self._sample()
        led = evaluations.filtered(lambda e: e.callback_id == mine)
        self.assertEqual(led.evaluator_id, self.supervisor)
        activity = led.activity_ids
        self.assertEqual(activity.user_id, self.supervisor)
        self.assertEqual(activity.activity_type_id,
                         self.env.ref("insurance_claim_callback.mail_activity_type_quality_evaluation"))
        self.assertGreater(activity.date_deadline, fields.Date.today())
        fallback = evaluations.filtered(lambda e: e.callback_id == other).evaluator_id
        self.assertTrue(fallback.has_group(SUPERVISOR))
        self.assertIn(self.company, fallback.company_ids)

    def test_other_company_is_sampled_apart(self):
        self._done(satisfaction=1)
        self.assertFalse(self.Evaluation._sample_quality(self.company_b, rng=random.Random(1)))
        self.assertEqual(len(self._sample()), 1)

    def test_weekly_cron_samples_every_company(self):
        callback = self._done(satisfaction=1)
        cron = self.env.ref("insurance_claim_callback.ir_cron_quality_sampling")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
            cron.method_direct_trigger()
        self.assertEqual(self.Evaluation.search([("callback_id", "=", callback.id)]).reason, "low_satisfaction")


@tagged("post_install", "-at_install")
class TestEvaluationFlow(EvaluationCase):
    """The supervisor's scorecard, who reads what, and the refusals."""

    def test_evaluate_from_the_callback_scores_the_scorecard(self):
        callback = self._done()
        action = callback.with_user(self.supervisor).action_evaluate()
        self.assertEqual(action["type"], "ir.actions.act_url")
        evaluation = self.Evaluation.search([("callback_id", "=", callback.id)])
        self.assertEqual((evaluation.reason, evaluation.state, evaluation.evaluator_id),
                         ("manual", "todo", self.supervisor))
        answer = evaluation.sudo().survey_answer_id
        self.assertEqual(parse_qs(urlparse(action["url"]).query)["answer_token"], [answer.access_token])
        self.assertEqual(answer.partner_id, self.supervisor.partner_id)
        again = callback.with_user(self.supervisor).action_evaluate()
        self.assertEqual(again["url"], action["url"], "the open scorecard is reused")
        self._answer_scorecard(evaluation, {"payout": "partly", "script": "no"})
        # weights: greeting 15, privacy 10, empathy 15, payout 20 (partly: 10), solution 15, script 10 (no), closing 15
        self.assertEqual(evaluation.state, "done")
        self.assertAlmostEqual(evaluation.score, 80.0)
        self.assertTrue(evaluation.done_date)
        self.assertEqual(evaluation.evaluator_id, self.supervisor)
        with self.assertRaises(UserError):
            evaluation.with_user(self.supervisor).action_evaluate()
        opened = callback.with_user(self.supervisor).action_evaluate()
        self.assertEqual((opened["res_model"], opened["res_id"]), (evaluation._name, evaluation.id),
                         "done: Evaluate on the callback opens its evaluation")

    def test_sampled_evaluation_done_closes_the_evaluators_activity(self):
        self._done(satisfaction=1)
        evaluation = self._sample()
        self.assertTrue(evaluation.activity_ids)
        evaluation.with_user(self.supervisor).action_evaluate()
        self._answer_scorecard(evaluation)
        self.assertEqual((evaluation.state, evaluation.score), ("done", 100.0))
        self.assertFalse(evaluation.activity_ids)

    def test_callback_questionnaire_answers_still_complete_callbacks(self):
        """The scorecard's _mark_done leaves the customer's questionnaire alone."""
        claim = self._closed_claims(1)
        self._schedule(claim)
        callback = claim.callback_ids
        survey = self.env.ref("insurance_claim_callback.survey_callback")
        answer = survey.sudo()._create_answer(user=self.env.ref("base.public_user"), check_attempts=False)
        answer.sudo().write({"callback_id": callback.id})
        answer._save_lines(self.env.ref("insurance_claim_callback.survey_question_satisfaction"), 4)
        answer._mark_done()
        self.assertEqual((callback.state, callback.satisfaction), ("done", 4))
        self.assertFalse(answer.evaluation_id)

    def test_who_reads_an_evaluation(self):
        evaluation = self.Evaluation.sudo().create({"callback_id": self._done().id, "reason": "manual"})
        self.assertFalse(self.Evaluation.with_user(self.agent_1).search([]), "not done: the agent sees nothing")
        self.assertEqual(self.Evaluation.with_user(self.supervisor).search([]), evaluation)
        evaluation.with_user(self.supervisor).action_evaluate()
        self._answer_scorecard(evaluation)
        self.assertEqual(self.Evaluation.with_user(self.agent_1).search([]), evaluation)
        self.assertEqual(evaluation.with_user(self.agent_1).score, 100.0)
        self.assertEqual(evaluation.with_user(self.agent_1).action_view_scorecard()["type"], "ir.actions.act_url")
        self.assertFalse(self.Evaluation.with_user(self.agent_2).search([]), "another agent's")
        self.assertFalse(self.Evaluation.with_user(self.other_supervisor).search([]), "another team's supervisor")
        self.assertEqual(self.Evaluation.with_user(self.manager).search([]), evaluation)
        self.assertFalse(self.Evaluation.with_user(self.manager_b).search([]), "another company's manager")
        for vals in ({"score": 10}, {"state": "todo"}, {"reason": "random"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                evaluation.with_user(self.agent_1).write(vals)
        with self.assertRaises(AccessError):
            evaluation.with_user(self.supervisor).write({"score": 10})
        with self.assertRaises(AccessError):
            self.Evaluation.with_user(self.manager).create(
                {"callback_id": self._done().id, "user_id": self.agent_1.id, "company_id": self.company.id}
            )
        self.assertEqual(evaluation.score, 100.0)

    def test_only_the_agents_supervisors_and_managers_evaluate(self):
        callback = self._done()
        with self.assertRaises(AccessError):
            callback.with_user(self.agent_2).action_evaluate()
        with self.assertRaises(UserError):
            callback.with_user(self.other_supervisor).action_evaluate()
        self.assertFalse(self.Evaluation.search([("callback_id", "=", callback.id)]))
        callback.with_user(self.manager).action_evaluate()
        own = self._done(self.supervisor)
        with self.assertRaises(UserError):
            own.with_user(self.supervisor).action_evaluate()

    def test_bad_input_is_refused(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        open_callback = claim.callback_ids
        open_callback.user_id = self.agent_1
        with self.assertRaises(ValidationError):
            open_callback.with_user(self.supervisor).action_evaluate()
        with self.assertRaises(ValidationError):
            self.Evaluation.sudo().create({"callback_id": open_callback.id})
        claim_b = self._claim(stage_id=self.stage_done.id, company_id=self.company_b.id, team_id=False,
                              claim_number="CLM-B-EVAL")
        self._schedule(claim_b)
        with self.assertRaises(UserError):
            claim_b.callback_ids.with_user(self.supervisor).action_evaluate()
        done = self._done()
        evaluation = self.Evaluation.sudo().create({"callback_id": done.id})
        with self.assertRaises(ValidationError):
            self.Evaluation.sudo().create({"callback_id": done.id, "reason": "random"})
        for score in (-1, 100.5):
            with self.subTest(score=score), self.assertRaises(ValidationError):
                evaluation.sudo().write({"score": score})
        self.assertEqual(self.Evaluation.search_count([]), 1)


@tagged("post_install", "-at_install")
class TestEvaluationOverHttp(EvaluationCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.supervisor_key = cls.env["res.users.apikeys"].with_user(cls.supervisor)._generate(
            None, "supervisor", fields.Datetime.now() + timedelta(days=1)
        )
        cls.agent_key = cls.env["res.users.apikeys"].with_user(cls.agent_1)._generate(
            None, "agent", fields.Datetime.now() + timedelta(days=1)
        )

    def _post(self, path, body, key):
        headers = {"Content-Type": "application/json", "X-Odoo-Database": self.env.cr.dbname,
                   "Authorization": f"bearer {key}"}
        return self.url_open(path, data=json.dumps(body), headers=headers)

    def test_json2_bad_evaluations_are_4xx_and_write_nothing(self):
        claim = self._closed_claims(1)
        self._schedule(claim)
        open_callback = claim.callback_ids
        open_callback.user_id = self.agent_1
        claim_b = self._claim(stage_id=self.stage_done.id, company_id=self.company_b.id, team_id=False,
                              claim_number="CLM-B-EVAL-H")
        self._schedule(claim_b)
        done = self._done()
        evaluation = self.Evaluation.sudo().create({"callback_id": done.id})
        cases = [
            ("claim.callback", {"ids": [open_callback.id]}, self.supervisor_key, 422),
            ("claim.callback", {"ids": [claim_b.callback_ids.id]}, self.supervisor_key, 422),
            ("claim.callback", {"ids": [done.id, open_callback.id]}, self.supervisor_key, 422),
            ("claim.callback", {"ids": [done.id]}, self.agent_key, 403),
            ("claim.callback.evaluation", {"ids": [evaluation.id]}, self.agent_key, 403),
        ]
        for model, body, key, status in cases:
            with self.subTest(model=model, body=body):
                response = self._post(f"/json/2/{model}/action_evaluate", body, key)
                self.assertEqual(response.status_code, status, response.text)
        response = self._post("/json/2/claim.callback.evaluation/create",
                              {"vals_list": [{"callback_id": done.id, "reason": "random", "user_id": self.agent_1.id,
                                               "company_id": self.company.id}]}, self.supervisor_key)
        self.assertEqual(response.status_code, 403, response.text)
        response = self._post("/json/2/claim.callback.evaluation/write",
                              {"ids": [evaluation.id], "vals": {"score": 1000}}, self.supervisor_key)
        self.assertEqual(response.status_code, 403, response.text)
        self.assertEqual(self.Evaluation.search_count([]), 1)
        self.assertFalse(evaluation.survey_answer_id)
        response = self._post("/json/2/claim.callback.evaluation/action_evaluate",
                              {"ids": [evaluation.id]}, self.supervisor_key)
        self.assertEqual(response.status_code, 200, response.text)
        self.assertEqual(response.json()["type"], "ir.actions.act_url")

    def test_agent_reads_the_submitted_scorecard_and_other_companies_do_not(self):
        evaluation = self.Evaluation.sudo().create({"callback_id": self._done().id})
        evaluation.with_user(self.supervisor).action_evaluate()
        answer = self._answer_scorecard(evaluation, {"empathy": "no"})
        url = evaluation.with_user(self.agent_1).action_view_scorecard()["url"]
        self.authenticate(self.agent_1.login, self.agent_1.login)
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Showed empathy", response.text)
        officer_b = self._user("icc_survey_officer_b", "survey.group_survey_user", company_id=self.company_b.id)
        self.assertFalse(self.env["survey.user_input"].with_user(officer_b).search([("id", "=", answer.id)]))
        self.assertFalse(self.env["survey.user_input.line"].with_user(officer_b).search(
            [("user_input_id", "=", answer.id)]))


@tagged("post_install", "-at_install")
class TestEvaluationTour(EvaluationCase, HttpCase):
    def test_supervisor_evaluates_a_sampled_callback_in_the_browser(self):
        self._done(satisfaction=1, claim_vals={"claim_number": "CLM-TOUR-QA"})
        evaluation = self._sample()
        self.assertEqual((evaluation.reason, evaluation.evaluator_id), ("low_satisfaction", self.supervisor))
        self.supervisor.odoobot_state = "disabled"
        self.start_tour("/odoo", "insurance_claim_callback_supervisor_evaluates", login=self.supervisor.login)
        self.assertEqual((evaluation.state, evaluation.score, evaluation.evaluator_id),
                         ("done", 100.0, self.supervisor))


@tagged("post_install", "-at_install")
class TestAgentScorecardTour(EvaluationCase, HttpCase):
    def test_agent_opens_their_scorecard_and_evaluation_in_zh_tw(self):
        callback = self._done(satisfaction=4, claim_vals={"claim_number": "CLM-TOUR-AGENT"})
        self.Evaluation.create({"callback_id": callback.id, "user_id": self.agent_1.id, "team_id": self.team.id,
                                "company_id": self.company.id, "reason": "manual"}).write(
            {"state": "done", "score": 85.0, "evaluator_id": self.supervisor.id,
             "done_date": fields.Datetime.now()})
        rows = self.env["claim.callback.agent.month"].compute_month(fields.Date.today(), self.company)
        self.assertEqual(rows.filtered(lambda row: row.user_id == self.agent_1).qa_score, 85.0)
        self._activate_languages("zh_TW")
        self.agent_1.write({"lang": "zh_TW", "odoobot_state": "disabled"})
        self.start_tour("/odoo", "insurance_claim_callback_agent_scorecard_zh_tw", login=self.agent_1.login)
