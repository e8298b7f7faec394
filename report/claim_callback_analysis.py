from odoo import fields, models
from odoo.tools import SQL


class ClaimCallbackAnalysis(models.Model):
    """One row per callback for the pivot, graph and list views: agent KPIs (counts, completion rate,
    on-time rate, satisfaction, NPS, attempts per callback) and cost beside the company's targets, by month,
    company, team, category, channel and agent. The rates are 0 / 100 per row: their average is the rate;
    the NPS is +100 (promoter, 9-10), 0 (passive, 7-8) or -100 (detractor, 1-6) per answer: its average is the
    NPS. A callback without an NPS answer (stored as 0) is left out of it."""

    _name = "claim.callback.analysis"
    _description = "Callback Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "callback_id"
    _depends = {
        "claim.callback": [
            "ticket_id", "company_id", "team_id", "user_id", "partner_id", "sla_start_date", "state",
            "sequence", "satisfaction", "nps", "completed_date", "sla_completion_deadline", "attempt_count",
            "attempt_cost", "last_attempt_channel",
        ],
        "res.company": ["callback_satisfied_score", "callback_target_coverage", "callback_target_satisfaction"],
        "helpdesk.ticket": ["claim_category_id"],
    }

    callback_id = fields.Many2one("claim.callback", readonly=True)
    ticket_id = fields.Many2one("helpdesk.ticket", string="Claim", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    claim_category_id = fields.Many2one("claim.category", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    channel = fields.Selection(
        lambda self: self.env["claim.callback.attempt"]._fields["channel"].selection,
        readonly=True,
        help="Channel of the last attempt.",
    )
    date = fields.Datetime(string="SLA Start", readonly=True, help="Claim closure for a first callback.")
    state = fields.Selection(lambda self: self.env["claim.callback"]._fields["state"].selection, readonly=True)
    sequence = fields.Integer(readonly=True, aggregator=False)
    callback_count = fields.Integer(string="Callbacks", readonly=True, aggregator="sum")
    done_count = fields.Integer(string="Done", readonly=True, aggregator="sum")
    satisfaction = fields.Float(string="Average Satisfaction", readonly=True, aggregator="avg")
    satisfaction_rate = fields.Float(
        string="Satisfaction Rate (%)", readonly=True, aggregator="avg",
        help="Share of the rated callbacks whose score reaches the company's satisfied score.",
    )
    nps = fields.Float(string="NPS", readonly=True, aggregator="avg", help="Promoters (9-10) minus detractors (1-6), %.")
    completion_rate = fields.Float(string="Completion Rate (%)", readonly=True, aggregator="avg")
    target_completion = fields.Float(
        string="Completion Target (%)", readonly=True, aggregator="avg", help="The company's 72 h coverage target."
    )
    target_satisfaction = fields.Float(string="Satisfaction Target (%)", readonly=True, aggregator="avg")
    on_time_rate = fields.Float(string="On-time Rate (%)", readonly=True, aggregator="avg")
    attempt_count = fields.Float(string="Attempts per Callback", readonly=True, aggregator="avg")
    cost = fields.Float(readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        # The rates as float8, not numeric: the pivot averages them over a month's callbacks, and numeric arithmetic
        # was a quarter of its query (bench/README.md, the web client's real load).
        return SQL(
            """
            SELECT cb.id, cb.id AS callback_id, cb.ticket_id, cb.company_id, cb.team_id, cb.user_id,
                   t.claim_category_id, cb.partner_id, cb.sla_start_date AS date, cb.state, cb.sequence,
                   1 AS callback_count,
                   CASE WHEN cb.state = 'done' THEN 1 ELSE 0 END AS done_count,
                   NULLIF(cb.satisfaction, 0) AS satisfaction,
                   CASE WHEN cb.satisfaction >= 1
                        THEN CASE WHEN cb.satisfaction >= co.callback_satisfied_score THEN 100.0::float8 ELSE 0.0 END
                   END AS satisfaction_rate,
                   CASE WHEN cb.state = 'done' AND cb.nps >= 1
                        THEN CASE WHEN cb.nps >= 9 THEN 100.0::float8 WHEN cb.nps <= 6 THEN -100.0 ELSE 0.0 END
                   END AS nps,
                   co.callback_target_coverage AS target_completion,
                   co.callback_target_satisfaction AS target_satisfaction,
                   CASE WHEN cb.state = 'done' THEN 100.0::float8 ELSE 0.0 END AS completion_rate,
                   CASE WHEN cb.state = 'done' AND cb.completed_date <= cb.sla_completion_deadline
                        THEN 100.0::float8 ELSE 0.0 END AS on_time_rate,
                   COALESCE(cb.attempt_count, 0) AS attempt_count,
                   COALESCE(cb.attempt_cost, 0) AS cost,
                   cb.last_attempt_channel AS channel
              FROM claim_callback cb
              JOIN res_company co ON co.id = cb.company_id
         LEFT JOIN helpdesk_ticket t ON t.id = cb.ticket_id
            """
        )
