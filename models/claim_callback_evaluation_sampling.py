import random
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .batch import create_skipping_duplicates
from .claim_callback_evaluation import ACTIVITY_TYPE, SUPERVISOR_GROUP

FIRST_RUN_DAYS = 7
ACTIVITY_DAYS = 3
LOW_SATISFACTION = 2
WATERMARK = "insurance_claim_callback.quality_sampled_until.%s"


class ClaimCallbackEvaluation(models.Model):
    """The weekly quality sampling (SPEC §10, README: Agent appraisal and quality)."""

    _inherit = "claim.callback.evaluation"

    @api.model
    def _cron_quality_sampling(self):
        """Sample every company's callbacks completed since its last run; each company is committed on its own."""
        # sudo: the cron samples every company, whatever companies its user belongs to.
        companies = self.env["res.company"].sudo().search([])  # a few companies; pylint: disable=no-search-all
        for done, company in enumerate(companies, start=1):
            self.sudo()._sample_quality(company)
            self.env["ir.cron"]._commit_progress(1, remaining=len(companies) - done)

    @api.model
    def _sample_quality(self, company, rng=None):
        """Create the `todo` evaluations of `company`'s callbacks completed since the last run (the first run:
        the last 7 days), at most one per callback, and move the company's watermark. Returns them.

        Reason, the first that applies: satisfaction ≤ 2, a complaint raised by the callback, negative
        sentiment; then `random` for a share of the rest (`callback_qa_sample_share` %, rounded half up), and
        for one callback of each agent who completed some and has none sampled yet."""
        rng = rng or random.Random()  # noqa: S311 (sampling, not security)
        params = self.env["ir.config_parameter"].sudo()
        now = fields.Datetime.now()
        since = fields.Datetime.to_datetime(params.get_param(WATERMARK % company.id)) or (
            now - timedelta(days=FIRST_RUN_DAYS)
        )
        rows = self._sampling_candidates(company, since, now)
        chosen = {}
        rest = []
        for row in rows:
            reason = self._sampling_reason(row)
            if reason:
                chosen[row["id"]] = (row, reason)
            else:
                rest.append(row)
        share = min(max(company.callback_qa_sample_share, 0.0), 100.0)
        count = int(len(rest) * share / 100 + 0.5)
        for row in rng.sample(rest, count):
            chosen[row["id"]] = (row, "random")
        covered = {row["user_id"] for row, _reason in chosen.values()}
        by_agent = defaultdict(list)
        for row in rest:
            if row["user_id"] not in covered and row["id"] not in chosen:
                by_agent[row["user_id"]].append(row)
        for agent_id in sorted(by_agent):
            row = rng.choice(by_agent[agent_id])
            chosen[row["id"]] = (row, "random")
        evaluators = self._sampling_evaluators(company)
        vals_list = [
            {"callback_id": row["id"], "reason": reason, "evaluator_id": evaluators(row)}
            for row, reason in sorted(chosen.values(), key=lambda item: item[0]["id"])
        ]
        evaluations = create_skipping_duplicates(self.sudo(), vals_list)
        evaluations._schedule_evaluation_activities(company)
        params.set_param(WATERMARK % company.id, fields.Datetime.to_string(now))
        return evaluations

    @api.model
    def _sampling_candidates(self, company, since, until):
        """The company's callbacks completed in (since, until], with an agent and no evaluation, one query."""
        for model in ("claim.callback", "helpdesk.ticket", "claim.callback.evaluation"):
            self.env[model].flush_model()
        self.env.cr.execute(SQL(
            """
            SELECT c.id, c.user_id, c.team_id, team.user_id AS leader_id, c.satisfaction, c.sentiment,
                   EXISTS (SELECT 1 FROM helpdesk_ticket t
                            WHERE t.source_callback_id = c.id AND t.is_complaint) AS complaint
              FROM claim_callback c
         LEFT JOIN helpdesk_ticket_team team ON team.id = c.team_id
             WHERE c.company_id = %(company)s AND c.state = 'done' AND c.user_id IS NOT NULL
               AND c.completed_date > %(since)s AND c.completed_date <= %(until)s
               AND NOT EXISTS (SELECT 1 FROM claim_callback_evaluation e WHERE e.callback_id = c.id)
          ORDER BY c.id
            """,
            company=company.id, since=since, until=until,
        ))
        return self.env.cr.dictfetchall()

    @api.model
    def _sampling_reason(self, row):
        if row["satisfaction"] and row["satisfaction"] <= LOW_SATISFACTION:
            return "low_satisfaction"
        if row["complaint"]:
            return "complaint"
        if row["sentiment"] == "negative":
            return "negative_sentiment"
        return None

    @api.model
    def _sampling_evaluators(self, company):
        """row -> the evaluator's id: the team leader, else the company's first callback supervisor (never the
        evaluated agent), else none."""
        supervisors = self.env.ref(SUPERVISOR_GROUP).sudo().all_user_ids.filtered(
            lambda user: user.active and not user.share and company in user.company_ids
        ).sorted("id")
        active_leaders = set(supervisors.ids)

        def evaluator(row):
            if row["leader_id"] in active_leaders and row["leader_id"] != row["user_id"]:
                return row["leader_id"]
            return next((user.id for user in supervisors if user.id != row["user_id"]), False)

        return evaluator

    def _schedule_evaluation_activities(self, company):
        """One activity per evaluation for its evaluator, due in a few days (in one create)."""
        activity_type = self.env.ref(ACTIVITY_TYPE)
        deadline = self.env["claim.callback.kpi"]._company_today(company) + timedelta(days=ACTIVITY_DAYS)
        model_id = self.env["ir.model"]._get_id(self._name)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create([
            {
                "res_model_id": model_id,
                "res_id": evaluation.id,
                "activity_type_id": activity_type.id,
                "user_id": evaluation.evaluator_id.id,
                "date_deadline": deadline,
            }
            for evaluation in self.filtered("evaluator_id")
        ])
