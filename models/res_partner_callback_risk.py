"""The customer's callback risk (README: Early warning and trends), one SQL statement for any set of customers."""

from odoo import api, fields, models
from odoo.tools import SQL

RISK_REASONS = [
    ("low_satisfaction", "Latest callback: low satisfaction"),
    ("open_complaint", "Open complaint"),
    ("limit_reached", "Claim at the callback limit"),
    ("negative_sentiment", "Latest callback: negative feedback"),
    ("medium_satisfaction", "Latest callback: middling satisfaction"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    callback_risk = fields.Selection(
        [("none", "None"), ("watch", "Watch"), ("high", "High")],
        default="none",
        readonly=True,
        copy=False,
        index=True,
        help="High: the latest completed callback scored low, an open complaint, or a claim at the callback "
        "limit. Watch: the latest completed callback had negative feedback or a middling score. Updated when a "
        "result is registered and by the hourly risk check.",
    )
    callback_risk_reason = fields.Selection(RISK_REASONS, readonly=True, copy=False)

    @api.model
    def _update_callback_risk(self, partners=None):
        """Store the callback risk of `partners` (all customers when None); return the ids that changed.

        One UPDATE whatever the number of customers. Thresholds: the company's 'High risk from
        satisfaction' (2) of the latest completed callback, and 3 for 'watch'."""
        if partners is not None and not partners:
            return []
        self.env.flush_all()
        only = SQL("AND cb.partner_id = ANY(%s)", partners.ids) if partners is not None else SQL()
        only_t = SQL("AND t.partner_id = ANY(%s)", partners.ids) if partners is not None else SQL()
        only_p = SQL("AND id = ANY(%s)", partners.ids) if partners is not None else SQL()
        self.env.cr.execute(SQL(
            """
            WITH latest AS (
                SELECT DISTINCT ON (cb.partner_id) cb.partner_id, cb.satisfaction, cb.sentiment,
                       cb.satisfaction <= c.callback_risk_high_satisfaction AS low
                  FROM claim_callback cb JOIN res_company c ON c.id = cb.company_id
                 WHERE cb.state = 'done' AND cb.partner_id IS NOT NULL %(only)s
              ORDER BY cb.partner_id, cb.completed_date DESC NULLS LAST, cb.id DESC
            ), complaint AS (
                SELECT DISTINCT t.partner_id FROM helpdesk_ticket t
                  JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                 WHERE t.is_complaint AND NOT COALESCE(s.closed, false) AND t.partner_id IS NOT NULL %(only_t)s
            ), limited AS (
                SELECT DISTINCT t.partner_id FROM helpdesk_ticket t
                 WHERE t.is_claim AND t.callback_status = 'limit_reached' AND t.partner_id IS NOT NULL %(only_t)s
            ), candidates AS (
                SELECT partner_id FROM latest UNION SELECT partner_id FROM complaint
                UNION SELECT partner_id FROM limited
                UNION SELECT id FROM res_partner WHERE callback_risk IN ('watch', 'high') %(only_p)s
            ), risk AS (
                SELECT p.partner_id,
                       CASE WHEN l.low THEN 'low_satisfaction'
                            WHEN co.partner_id IS NOT NULL THEN 'open_complaint'
                            WHEN li.partner_id IS NOT NULL THEN 'limit_reached'
                            WHEN l.sentiment = 'negative' THEN 'negative_sentiment'
                            WHEN l.satisfaction = 3 THEN 'medium_satisfaction' END AS reason
                  FROM candidates p
             LEFT JOIN latest l ON l.partner_id = p.partner_id
             LEFT JOIN complaint co ON co.partner_id = p.partner_id
             LEFT JOIN limited li ON li.partner_id = p.partner_id
            )
            UPDATE res_partner rp
               SET callback_risk = CASE WHEN r.reason IN ('low_satisfaction', 'open_complaint', 'limit_reached')
                                        THEN 'high' WHEN r.reason IS NOT NULL THEN 'watch' ELSE 'none' END,
                   callback_risk_reason = r.reason
              FROM risk r
             WHERE rp.id = r.partner_id
               AND (rp.callback_risk_reason IS DISTINCT FROM r.reason
                    OR rp.callback_risk IS DISTINCT FROM
                       CASE WHEN r.reason IN ('low_satisfaction', 'open_complaint', 'limit_reached')
                            THEN 'high' WHEN r.reason IS NOT NULL THEN 'watch' ELSE 'none' END)
         RETURNING rp.id
            """,
            only=only, only_t=only_t, only_p=only_p,
        ))
        changed = [row[0] for row in self.env.cr.fetchall()]
        if changed:
            self.browse(changed).invalidate_recordset(["callback_risk", "callback_risk_reason"])
        return changed
