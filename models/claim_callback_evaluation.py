from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

SUPERVISOR_GROUP = "insurance_claim_callback.group_callback_supervisor"
MANAGER_GROUP = "insurance_claim_callback.group_callback_manager"
SCORECARD = "insurance_claim_callback.survey_quality_scorecard"
ACTIVITY_TYPE = "insurance_claim_callback.mail_activity_type_quality_evaluation"

REASONS = [
    ("low_satisfaction", "Low Satisfaction"),
    ("complaint", "Complaint"),
    ("negative_sentiment", "Negative Sentiment"),
    ("random", "Random Sample"),
    ("manual", "Chosen by a Supervisor"),
]


class ClaimCallbackEvaluation(models.Model):
    """A quality evaluation of one completed callback (README: Agent appraisal and quality), scored with the
    seeded scorecard survey; the evaluated agent reads it once done and never edits it.

    Created by the weekly sampling or by a supervisor's *Evaluate* on the callback; done when the scorecard
    answer opened by `action_evaluate` is submitted (`survey.user_input._mark_done`)."""

    _name = "claim.callback.evaluation"
    _description = "Callback Quality Evaluation"
    _inherit = ["mail.thread", "mail.activity.mixin", "claim.protected.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    callback_id = fields.Many2one("claim.callback", required=True, readonly=True, index=True, check_company=True,
                                  ondelete="cascade")
    user_id = fields.Many2one("res.users", string="Agent", required=True, readonly=True, index=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index="btree_not_null")
    evaluator_id = fields.Many2one("res.users", readonly=True, index="btree_not_null",
                                   tracking=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection([("todo", "To Do"), ("done", "Done")], default="todo", required=True, readonly=True,
                             tracking=True, copy=False, index=True)
    score = fields.Float(readonly=True, aggregator="avg", help="0-100, from the scorecard's scoring.")
    reason = fields.Selection(REASONS, required=True, readonly=True, default="manual")
    done_date = fields.Datetime(readonly=True, copy=False, index="btree_not_null")
    survey_answer_id = fields.Many2one("survey.user_input", string="Scorecard", readonly=True, copy=False)
    has_scorecard = fields.Boolean(compute="_compute_has_scorecard", compute_sudo=True)
    completed_date = fields.Datetime(related="callback_id.completed_date", string="Callback Completed")
    satisfaction = fields.Integer(related="callback_id.satisfaction")
    sentiment = fields.Selection(related="callback_id.sentiment")
    claim_number = fields.Char(related="callback_id.claim_number")

    _callback_uniq = models.Constraint("UNIQUE(callback_id)", "A callback is evaluated once.")
    _score_range = models.Constraint("CHECK(score >= 0 AND score <= 100)", "A score is between 0 and 100.")

    @api.model
    def _protected_fields(self):
        return super()._protected_fields() | {
            "callback_id", "user_id", "team_id", "evaluator_id", "company_id", "state", "score", "reason",
            "done_date", "survey_answer_id",
        }

    def _compute_display_name(self):
        for evaluation in self:
            evaluation.display_name = self.env._(
                "Evaluation of %(callback)s", callback=evaluation.callback_id.sudo().display_name
            )

    @api.model_create_multi
    def create(self, vals_list):
        """The system's create: the agent, team and company are the callback's; a callback that is not done,
        or already evaluated, is refused."""
        self.check_access("create")
        callbacks = self.env["claim.callback"].sudo().browse(vals.get("callback_id") for vals in vals_list)
        seen = set()
        for vals, callback in zip(vals_list, callbacks, strict=True):
            self._check_can_be_evaluated(callback, seen)
            seen.add(callback.id)
            vals.update({
                "user_id": callback.user_id.id,
                "team_id": callback.team_id.id,
                "company_id": callback.company_id.id,
            })
        return super().create(vals_list)

    @api.model
    def _check_can_be_evaluated(self, callback, seen=()):
        if not callback.exists():
            raise ValidationError(self.env._("Choose an existing callback to evaluate."))
        if callback.state != "done":
            raise ValidationError(
                self.env._("%(callback)s is not completed: only a completed callback is evaluated.",
                           callback=callback.display_name)
            )
        if not callback.user_id:
            raise ValidationError(
                self.env._("%(callback)s has no agent to evaluate.", callback=callback.display_name)
            )
        if callback.id in seen or self.sudo().search_count([("callback_id", "=", callback.id)], limit=1):
            raise ValidationError(
                self.env._("%(callback)s already has a quality evaluation: a callback is evaluated once.",
                           callback=callback.display_name)
            )

    @api.constrains("callback_id", "company_id")
    def _check_callback_done(self):
        for evaluation in self:
            if evaluation.callback_id.state != "done":
                raise ValidationError(self.env._("Only a completed callback is evaluated."))
            if evaluation.company_id != evaluation.callback_id.company_id:
                raise ValidationError(self.env._("An evaluation belongs to its callback's company."))

    @api.constrains("score")
    def _check_score(self):
        for evaluation in self:
            if not 0 <= evaluation.score <= 100:
                raise ValidationError(self.env._("A score is between 0 and 100."))

    # ------------------------------------------------------------------
    # The supervisor's flow
    # ------------------------------------------------------------------

    @api.model
    def _check_may_evaluate(self, team, agent, company):
        """The current user may evaluate the callbacks of `agent` in `team` and `company`: a manager of the
        company, or a supervisor leading or in the team; never the evaluated agent."""
        user = self.env.user
        if not user.has_group(SUPERVISOR_GROUP):
            raise AccessError(self.env._("Only callback supervisors evaluate callbacks."))
        if company not in user.company_ids:
            raise UserError(self.env._("This callback belongs to a company you do not work for."))
        if agent == user:
            raise UserError(self.env._("You cannot evaluate your own callback."))
        if not user.has_group(MANAGER_GROUP) and not (team and (team.user_id == user or user in team.user_ids)):
            raise UserError(self.env._("Only the supervisors of the agent's team evaluate this callback."))

    def _check_evaluator(self):
        """The current user may fill this evaluation's scorecard: its evaluator, a supervisor of the agent's
        team or a manager of its company."""
        self.ensure_one()
        if self.env.su:
            return
        evaluation = self.sudo()
        if (evaluation.evaluator_id == self.env.user and evaluation.user_id != self.env.user
                and self.env.user.has_group(SUPERVISOR_GROUP)):
            self.check_access("read")
            return
        self._check_may_evaluate(evaluation.team_id, evaluation.user_id, evaluation.company_id)
        self.check_access("read")

    def action_evaluate(self):
        """Open the scorecard of this evaluation in the survey form, as the current user: their open answer
        is reused, else a new one is bound to the evaluation."""
        self.ensure_one()
        self._check_evaluator()
        evaluation = self.sudo()
        if evaluation.state == "done":
            raise UserError(
                self.env._("%(evaluation)s is already done (score %(score)s).",
                           evaluation=evaluation.display_name, score=round(evaluation.score))
            )
        answer = evaluation.survey_answer_id
        if not answer or answer.state == "done" or answer.partner_id != self.env.user.partner_id:
            survey = self.env.ref(SCORECARD).sudo()
            answer = survey._create_answer(user=self.env.user, check_attempts=False, evaluation_id=evaluation.id)
            evaluation.survey_answer_id = answer
        return answer.survey_id.action_start_survey(answer=answer)

    @api.depends("survey_answer_id")
    def _compute_has_scorecard(self):
        for evaluation in self:
            evaluation.has_scorecard = bool(evaluation.survey_answer_id)

    def action_view_scorecard(self):
        """The submitted scorecard, read-only (the survey's print view)."""
        self.ensure_one()
        self.check_access("read")
        answer = self.sudo().survey_answer_id
        if self.state != "done" or not answer:
            raise UserError(self.env._("This evaluation has no submitted scorecard yet."))
        return answer.survey_id.action_print_survey(answer=answer)

    def _register_scorecard(self, answer):
        """The scorecard `answer` was submitted: the evaluation is done with its score (system write)."""
        self.ensure_one()
        if self.state == "done":
            return
        self.sudo().write({
            "state": "done",
            "score": min(max(answer.scoring_percentage, 0.0), 100.0),
            "done_date": fields.Datetime.now(),
            "evaluator_id": answer.create_uid.id or self.evaluator_id.id,
            "survey_answer_id": answer.id,
        })
        self.sudo().activity_ids.filtered(
            lambda activity: activity.activity_type_id == self.env.ref(ACTIVITY_TYPE)
        ).action_feedback()
