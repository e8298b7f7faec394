"""Completed callbacks counted per day, company and feedback topic: what the risk check's topic spikes read instead
of every callback of the last nine weeks (README: Early warning and trends; bench/README.md: risk check)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .batch import changes_since_last_run
from .claim_callback_attempt_hour import ranges_condition

CHECKED_AT = "insurance_claim_callback.topic_day_checked_at"


class ClaimCallbackTopicDay(models.Model):
    _name = "claim.callback.topic.day"
    _description = "Feedback Topics per Day"
    _log_access = False
    _order = "day desc, id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    topic_id = fields.Many2one("claim.feedback.topic", required=True, readonly=True, ondelete="cascade")
    day = fields.Date(required=True, readonly=True, index=True, help="The day the callbacks were completed (UTC).")
    callbacks = fields.Integer(readonly=True)

    @api.model
    def _refresh(self):
        """Count again the days of the callbacks changed since the last refresh (every day on the first one), and
        today and yesterday. Four statements whatever the number of callbacks."""
        cr = self.env.cr
        self.env.flush_all()
        with changes_since_last_run(self.env, CHECKED_AT) as (since, started):
            if since:
                cr.execute(SQL(
                    """
                    SELECT DISTINCT completed_date::date FROM claim_callback
                     WHERE write_date >= %s AND state = 'done' AND completed_date IS NOT NULL
                    """,
                    since,
                ))
                days = {row[0] for row in cr.fetchall()} | {started.date(), started.date() - timedelta(days=1)}
                scope = ranges_condition(SQL("cb.completed_date"), days, timedelta(days=1))
                cr.execute(SQL("DELETE FROM claim_callback_topic_day WHERE day = ANY(%s)", sorted(days)))
            else:
                scope = SQL("TRUE")
                cr.execute("DELETE FROM claim_callback_topic_day")
            cr.execute(SQL(
                """
                INSERT INTO claim_callback_topic_day (company_id, topic_id, day, callbacks)
                SELECT cb.company_id, r.topic_id, cb.completed_date::date, count(*)
                  FROM claim_callback cb JOIN claim_callback_topic_rel r ON r.callback_id = cb.id
                 WHERE cb.state = 'done' AND cb.completed_date IS NOT NULL AND (%s)
              GROUP BY cb.company_id, r.topic_id, cb.completed_date::date
                """,
                scope,
            ))
        self.invalidate_model()
