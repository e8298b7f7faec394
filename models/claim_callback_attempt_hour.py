"""Contact attempts counted per hour, company, team and channel: what the risk check reads instead of
every attempt of the last five weeks (README: Early warning and trends; bench/README.md: risk check)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .claim_callback_channel import CHANNELS

FAILED_OUTCOMES = ("no_answer", "busy", "wrong_number", "refused", "message_failed")
WATERMARK = "insurance_claim_callback.attempt_hour_watermark"
# Hours always counted again: an attempt committed after a later one (a concurrent transaction) is counted
# by the next refresh as long as it is dated in these hours.
RECOUNT_HOURS = 2


def hour_floor(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def ranges_condition(column, starts, step):
    """SQL: `column` in one of the periods of length `step` starting at `starts`, as one range per run of
    consecutive periods (each an index range scan)."""
    runs = []
    for start in sorted(starts):
        if runs and runs[-1][1] == start:
            runs[-1][1] = start + step
        else:
            runs.append([start, start + step])
    return SQL(" OR ").join(SQL("(%s >= %s AND %s < %s)", column, low, column, high) for low, high in runs)


class ClaimCallbackAttemptHour(models.Model):
    _name = "claim.callback.attempt.hour"
    _description = "Contact Attempts per Hour"
    _log_access = False
    _order = "hour desc, id desc"

    company_id = fields.Many2one("res.company", required=True, readonly=True, ondelete="cascade")
    team_id = fields.Many2one(
        "helpdesk.ticket.team", readonly=True, ondelete="set null",
        help="The callback's team when the hour was counted.",
    )
    channel = fields.Selection(CHANNELS, required=True, readonly=True)
    hour = fields.Datetime(required=True, readonly=True, index=True, help="Start of the hour (UTC).")
    attempts = fields.Integer(readonly=True)
    failed = fields.Integer(
        readonly=True, help="Phone calls not answered, busy, refused or to a wrong number; messages not delivered."
    )

    @api.model
    def _refresh(self):
        """Count again the hours of the attempts logged since the last refresh, and the last hours.

        Attempts are append-only, so an hour counted is final once no new attempt falls into it. Three statements
        whatever the number of attempts; the first refresh of a database counts every hour once."""
        cr = self.env.cr
        self.env.flush_all()
        mark = int(self.env["ir.config_parameter"].sudo().get_param(WATERMARK, 0))
        cr.execute(SQL(
            """
            SELECT max(id), array_agg(DISTINCT date_trunc('hour', date))
              FROM claim_callback_attempt WHERE id > %s
            """,
            mark,
        ))
        last_id, hours = cr.fetchone()
        recent = hour_floor(fields.Datetime.now())
        hours = sorted({*(hours or []), *(recent - timedelta(hours=h) for h in range(RECOUNT_HOURS))})
        cr.execute(SQL("DELETE FROM claim_callback_attempt_hour WHERE hour = ANY(%s)", hours))
        cr.execute(SQL(
            """
            INSERT INTO claim_callback_attempt_hour (company_id, team_id, channel, hour, attempts, failed)
            SELECT a.company_id, cb.team_id, a.channel, date_trunc('hour', a.date), count(*),
                   count(*) FILTER (WHERE a.outcome IN %(failed)s)
              FROM claim_callback_attempt a JOIN claim_callback cb ON cb.id = a.callback_id
             WHERE %(hours)s
          GROUP BY a.company_id, cb.team_id, a.channel, date_trunc('hour', a.date)
            """,
            hours=ranges_condition(SQL("a.date"), hours, timedelta(hours=1)), failed=FAILED_OUTCOMES,
        ))
        if last_id:
            self.env["ir.config_parameter"].sudo().set_param(WATERMARK, str(last_id))
        self.invalidate_model()
