from odoo import fields, models
from odoo.tools import SQL


class ClaimCallbackTopicAnalysis(models.Model):
    """One row per completed callback and topic, for the pivot and graph views: how often each
    common problem comes up, by month, company, team, category and agent, with the satisfaction and
    sentiment of the callbacks that raised it. A company's own topics count in its callbacks only."""

    _name = "claim.callback.topic.analysis"
    _description = "Feedback Topic Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "topic_id"
    _depends = {
        "claim.callback": [
            "ticket_id", "company_id", "team_id", "user_id", "partner_id", "state", "completed_date",
            "satisfaction", "sentiment_score", "sentiment", "topic_ids",
        ],
        "helpdesk.ticket": ["claim_category_id"],
        "claim.feedback.topic": ["company_id"],
    }

    callback_id = fields.Many2one("claim.callback", readonly=True)
    topic_id = fields.Many2one("claim.feedback.topic", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True)
    user_id = fields.Many2one("res.users", string="Agent", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    claim_category_id = fields.Many2one("claim.category", readonly=True)
    date = fields.Datetime(string="Completed", readonly=True)
    sentiment = fields.Selection(lambda self: self.env["claim.callback"]._fields["sentiment"].selection, readonly=True)
    satisfaction = fields.Float(string="Average Satisfaction", readonly=True, aggregator="avg")
    sentiment_score = fields.Float(string="Average Sentiment", readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        # id: the pair (callback, topic); topic ids stay far below a million.
        return SQL(
            """
            SELECT cb.id::bigint * 1000000 + r.topic_id AS id, cb.id AS callback_id, r.topic_id,
                   cb.company_id, cb.team_id, cb.user_id, cb.partner_id, t.claim_category_id,
                   cb.completed_date AS date, cb.sentiment, NULLIF(cb.satisfaction, 0) AS satisfaction,
                   cb.sentiment_score
              FROM claim_callback cb
              JOIN claim_callback_topic_rel r ON r.callback_id = cb.id
              JOIN claim_feedback_topic tp ON tp.id = r.topic_id
                   AND (tp.company_id IS NULL OR tp.company_id = cb.company_id)
         LEFT JOIN helpdesk_ticket t ON t.id = cb.ticket_id
             WHERE cb.state = 'done'
            """
        )
