from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .locale_format import format_month

MANAGER_GROUP = "insurance_claim_callback.group_callback_manager"
# The composite score: weight of each part (0-100 figures); the parts without a value (no denominator) are left
# out and the weights of the others re-normalised, so an agent is not punished for a figure that does not exist.
SCORE_WEIGHTS = (
    ("completion_rate", 30),
    ("on_time_rate", 20),
    ("satisfaction_rate", 30),
    ("qa_score", 20),
)
# (figure, its denominator): a figure without a denominator is NULL in the table (read as 0.0 by the ORM).
RATE_DENOMINATORS = (
    ("completion_rate", "callbacks"),
    ("on_time_rate", "callbacks"),
    ("first_contact_rate", "callbacks"),
    ("satisfaction_rate", "rated"),
    ("satisfaction_avg", "rated"),
    ("attempts_per_callback", "callbacks"),
    ("qa_score", "evaluations"),
)


class ClaimCallbackAgentMonth(models.Model):
    """One agent's month in one company (README: Agent appraisal and quality; SPEC §10), written only by
    `compute_month`: the figures an appraisal conversation is held on.

    `score` (0-100) = completion rate × 30 % + on-time rate × 20 % + satisfaction rate × 30 % + QA score × 20 %,
    the weights re-normalised over the figures that are defined; `rank` 1 = best score of the company's agents
    that month, equal scores ranked by more callbacks first (same score and callbacks: same rank).
    """

    _name = "claim.callback.agent.month"
    _description = "Callback Agent Monthly Appraisal"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "month desc, company_id, rank, id"

    user_id = fields.Many2one("res.users", string="Agent", required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    callbacks = fields.Integer(readonly=True)
    completed = fields.Integer(readonly=True)
    completion_rate = fields.Float(string="Completion Rate (%)", readonly=True, aggregator="avg")
    on_time_rate = fields.Float(string="On-Time Rate (%)", readonly=True, aggregator="avg")
    first_contact_rate = fields.Float(string="First Contact Rate (%)", readonly=True, aggregator="avg")
    rated = fields.Integer(string="Rated Callbacks", readonly=True)
    satisfaction_rate = fields.Float(string="Satisfaction Rate (%)", readonly=True, aggregator="avg")
    satisfaction_avg = fields.Float(string="Average Satisfaction", readonly=True, aggregator="avg")
    complaints = fields.Integer(readonly=True)
    attempts = fields.Integer(readonly=True)
    attempts_per_callback = fields.Float(readonly=True, aggregator="avg")
    evaluations = fields.Integer(string="Done Evaluations", readonly=True)
    qa_score = fields.Float(string="QA Score", readonly=True, aggregator="avg")
    score = fields.Float(readonly=True, aggregator="avg")
    rank = fields.Integer(readonly=True, aggregator=False)
    certification_score = fields.Float(string="Last Certification (%)", readonly=True, aggregator=False)
    certification_date = fields.Datetime(string="Last Certification On", readonly=True)
    certification_passed = fields.Boolean(string="Certified", readonly=True)

    _agent_month_uniq = models.Constraint(
        "UNIQUE(user_id, company_id, month)", "There is one appraisal row per agent, company and month."
    )

    @api.depends("month", "user_id", "company_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        for row in self:
            row.display_name = f"{row.user_id.name} – {format_month(self.env, row.month)}" if row.month else ""

    # ------------------------------------------------------------------
    # Stable interface
    # ------------------------------------------------------------------

    @api.model
    def compute_month(self, month, company):
        """Compute the month of `month` (a date of it, as a date or 'YYYY-MM-DD') for every agent of `company`
        (a record or id); return the rows, created or updated in place. Callback managers of the company only."""
        first, company = self.env["claim.callback.kpi"]._month_and_company(month, company)
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only callback managers can compute the agents' appraisals."))
        # sudo: the rows are written only by this computation (users have read-only access), caller checked above
        ids = self.sudo()._compute_rows(first, company)
        return self.browse(ids)

    # ------------------------------------------------------------------
    # Computation: one set-based pass for all agents of the company
    # ------------------------------------------------------------------

    @api.model
    def _compute_rows(self, first, company):
        """Upsert the rows of (first, company) from one SQL statement; remove the rows of agents who no
        longer have anything in the month; return the ids."""
        self.env.flush_all()
        self.env.cr.execute("SET LOCAL jit = off")  # a few large aggregates: JIT costs more than it saves
        try:
            self.env.cr.execute(self._rows_sql(first, company))
            ids = [row[0] for row in self.env.cr.fetchall()]
        finally:
            self.env.cr.execute("SET LOCAL jit TO DEFAULT")
        self.invalidate_model()
        stale = self.search([("company_id", "=", company.id), ("month", "=", first), ("id", "not in", ids)])
        stale.unlink()
        return ids

    @api.model
    def _aggregate_sql(self, first, company):
        """The figures of every agent of the company in the month (one row per agent): SPEC §10's
        definitions, rates NULL when their denominator is 0."""
        start, end = self.env["claim.callback.kpi"]._month_bounds(first, company)
        score_sum = SQL(" + ").join(
            SQL("COALESCE(%s * %s, 0)", SQL.identifier(field), weight) for field, weight in SCORE_WEIGHTS
        )
        weight_sum = SQL(" + ").join(
            SQL("CASE WHEN %s IS NULL THEN 0 ELSE %s END", SQL.identifier(field), weight)
            for field, weight in SCORE_WEIGHTS
        )
        return SQL(
            """
            WITH month_callbacks AS MATERIALIZED (
                SELECT id, user_id, state, satisfaction, sla_completion_status, sla_first_contact_status
                  FROM claim_callback
                 WHERE company_id = %(company)s AND user_id IS NOT NULL AND state != 'cancelled'
                   AND sla_start_date >= %(start)s AND sla_start_date < %(end)s
            ), per_callback AS (
                SELECT user_id,
                       count(*) AS callbacks,
                       count(*) FILTER (WHERE state = 'done') AS completed,
                       count(*) FILTER (WHERE state = 'done' AND sla_completion_status = 'met') AS on_time,
                       count(*) FILTER (WHERE sla_first_contact_status = 'met') AS first_contact,
                       count(*) FILTER (WHERE state = 'done' AND satisfaction >= 1) AS rated,
                       count(*) FILTER (WHERE state = 'done' AND satisfaction >= %(satisfied)s) AS satisfied,
                       avg(satisfaction) FILTER (WHERE state = 'done' AND satisfaction >= 1) AS satisfaction_avg
                  FROM month_callbacks
                 GROUP BY user_id
            ), per_attempt AS (
                SELECT mc.user_id, count(*) AS attempts
                  FROM claim_callback_attempt a JOIN month_callbacks mc ON mc.id = a.callback_id
                 GROUP BY mc.user_id
            ), per_complaint AS (
                SELECT mc.user_id, count(*) AS complaints
                  FROM helpdesk_ticket t JOIN month_callbacks mc ON mc.id = t.source_callback_id
                 WHERE t.is_complaint
                 GROUP BY mc.user_id
            ), per_evaluation AS (
                SELECT user_id, count(*) AS evaluations, avg(score) AS qa_score
                  FROM claim_callback_evaluation
                 WHERE company_id = %(company)s AND state = 'done'
                   AND done_date >= %(start)s AND done_date < %(end)s
                 GROUP BY user_id
            ), figures AS (
                SELECT COALESCE(c.user_id, e.user_id) AS user_id,
                       COALESCE(c.callbacks, 0) AS callbacks,
                       COALESCE(c.completed, 0) AS completed,
                       COALESCE(c.rated, 0) AS rated,
                       COALESCE(pc.complaints, 0) AS complaints,
                       COALESCE(pa.attempts, 0) AS attempts,
                       COALESCE(e.evaluations, 0) AS evaluations,
                       100.0 * c.completed / NULLIF(c.callbacks, 0) AS completion_rate,
                       100.0 * c.on_time / NULLIF(c.callbacks, 0) AS on_time_rate,
                       100.0 * c.first_contact / NULLIF(c.callbacks, 0) AS first_contact_rate,
                       100.0 * c.satisfied / NULLIF(c.rated, 0) AS satisfaction_rate,
                       c.satisfaction_avg::float AS satisfaction_avg,
                       COALESCE(pa.attempts, 0)::float / NULLIF(c.callbacks, 0) AS attempts_per_callback,
                       e.qa_score::float AS qa_score
                  FROM per_callback c
             FULL JOIN per_evaluation e ON e.user_id = c.user_id
             LEFT JOIN per_attempt pa ON pa.user_id = c.user_id
             LEFT JOIN per_complaint pc ON pc.user_id = c.user_id
            ), scored AS (
                SELECT *, (%(score_sum)s)::float / NULLIF(%(weight_sum)s, 0) AS score FROM figures
            )
            SELECT *, rank() OVER (ORDER BY score DESC NULLS LAST, callbacks DESC) AS rank FROM scored
            """,
            company=company.id, start=start, end=end, satisfied=company.callback_satisfied_score,
            score_sum=score_sum, weight_sum=weight_sum,
        )

    @api.model
    def _rows_sql(self, first, company):
        columns = [
            "callbacks", "completed", "rated", "complaints", "attempts", "evaluations", "completion_rate",
            "on_time_rate", "first_contact_rate", "satisfaction_rate", "satisfaction_avg", "attempts_per_callback",
            "qa_score", "score", "rank",
        ]
        names = SQL(", ").join(SQL.identifier(column) for column in columns)
        updates = SQL(", ").join(SQL("%s = EXCLUDED.%s", SQL.identifier(c), SQL.identifier(c)) for c in columns)
        return SQL(
            """
            WITH agents AS (%(aggregate)s)
            INSERT INTO claim_callback_agent_month
                   (user_id, company_id, month, %(names)s, create_uid, create_date, write_uid, write_date)
            SELECT user_id, %(company)s, %(month)s, %(names)s,
                   %(uid)s, now() AT TIME ZONE 'UTC', %(uid)s, now() AT TIME ZONE 'UTC'
              FROM agents
            ON CONFLICT (user_id, company_id, month) DO UPDATE
               SET %(updates)s, write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            RETURNING id
            """,
            aggregate=self._aggregate_sql(first, company), names=names, updates=updates,
            company=company.id, month=first, uid=self.env.uid,
        )

    def _is_defined(self, field):
        """False for a figure stored NULL (its denominator is 0), which the ORM reads as 0.0."""
        self.ensure_one()
        denominator = dict(RATE_DENOMINATORS).get(field)
        return bool(self[denominator]) if denominator else True
