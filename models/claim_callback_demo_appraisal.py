"""Demo data of the appraisal, quality and coaching screens (issue 21): done evaluations of the demo history's
callbacks, the appraisal of its three months (and the current one so far), the coaching it calls for, a training
certification taken and the monthly challenge's goals."""

import random
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

from .claim_callback_agent_month_coaching import CERTIFICATION

WEAK_SCORES = (52, 58, 61, 64)  # the coached agent's evaluations: under the QA threshold (70)
GOOD_SCORES = (76, 82, 88, 91, 95)


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    @api.model
    def _demo_generate_history(self, claims_per_month=22):
        generated = super()._demo_generate_history(claims_per_month=claims_per_month)
        if generated:
            self.env["claim.callback.agent.month"].sudo()._demo_appraisals()
        return generated


class ClaimCallbackAgentMonth(models.Model):
    _inherit = "claim.callback.agent.month"

    @api.model
    def _demo_appraisals(self):
        rng = random.Random(21)
        company = self.env.company
        now = fields.Datetime.now()
        first_month = now.date().replace(day=1) - relativedelta(months=3)
        agents = self.env.ref("insurance_claim_callback.user_callback_agent_1_demo") | self.env.ref(
            "insurance_claim_callback.user_callback_agent_2_demo"
        )
        weak = agents[0]
        leader = self.env.ref("insurance_claim_callback.user_callback_supervisor_demo")
        done = self.env["claim.callback"].search(
            [("state", "=", "done"), ("user_id", "in", agents.ids), ("company_id", "=", company.id),
             ("completed_date", "!=", False)], order="completed_date, id",
        )
        vals_list = []
        for agent in agents:
            for callback in done.filtered(lambda c, a=agent: c.user_id == a)[::3]:  # a share of their calls
                vals_list.append({
                    "callback_id": callback.id,
                    "user_id": agent.id,
                    "team_id": callback.team_id.id,
                    "evaluator_id": leader.id,
                    "company_id": company.id,
                    "state": "done",
                    "score": rng.choice(WEAK_SCORES if agent == weak else GOOD_SCORES),
                    "reason": "low_satisfaction" if (callback.satisfaction or 5) <= 2 else "random",
                    "done_date": min(callback.completed_date + timedelta(days=2), now - timedelta(hours=1)),
                })
        self.env["claim.callback.evaluation"].create(vals_list)
        for m in range(4):  # the three months and the current one so far
            self.compute_month(first_month + relativedelta(months=m), company)
        # the coached agent took the training certification they were invited to, and passed
        survey = self.env.ref(CERTIFICATION)
        answer = self.env["survey.user_input"].search([
            ("survey_id", "=", survey.id), ("partner_id", "=", weak.partner_id.id), ("state", "=", "new"),
        ], limit=1) or survey._create_answer(user=weak, check_attempts=False)
        for i, question in enumerate(survey.question_ids):
            correct = question.suggested_answer_ids.filtered("is_correct")
            choice = correct if i else question.suggested_answer_ids - correct  # 7 of 8 right: 87.5 %
            answer._save_lines(question, choice[:1].id)
        answer._mark_done()
        challenge = self.env.ref("insurance_claim_callback.challenge_callback_monthly")
        challenge._recompute_challenge_users()
        challenge._generate_goals_from_challenge()
