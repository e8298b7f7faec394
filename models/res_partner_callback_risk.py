"""The customer's callback risk in each company (README: Early warning and trends), one SQL statement for any set
of customers."""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from .batch import changes_since_last_run

RISK_LEVELS = [("none", "None"), ("watch", "Watch"), ("high", "High")]
RISK_REASONS = [
    ("low_satisfaction", "Latest callback: low satisfaction"),
    ("open_complaint", "Open complaint"),
    ("limit_reached", "Claim at the callback limit"),
    ("negative_sentiment", "Latest callback: negative feedback"),
    ("medium_satisfaction", "Latest callback: middling satisfaction"),
]
RISK_FIELDS = frozenset({"callback_risk", "callback_risk_reason"})
RISK_CHECKED_AT = "insurance_claim_callback.customer_risk_checked_at"


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Per company (jsonb keyed by company id, 'none' where a company has nothing: ir.default), and for internal
    # users only: a customer does not read their own label (README: Security and privacy).
    callback_risk = fields.Selection(
        RISK_LEVELS,
        company_dependent=True,
        groups="base.group_user",
        readonly=True,
        copy=False,
        help="In the current company: High: the latest completed callback scored low, an open complaint, or a "
        "claim at the callback limit. Watch: the latest completed callback had negative feedback or a middling "
        "score. Updated when a result is registered and by the hourly risk check.",
    )
    callback_risk_reason = fields.Selection(
        RISK_REASONS, company_dependent=True, groups="base.group_user", readonly=True, copy=False
    )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su and (
            any(RISK_FIELDS & set(vals) for vals in vals_list)
            or any(f"default_{name}" in self.env.context for name in RISK_FIELDS)
        ):
            self._refuse_risk_write()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su and RISK_FIELDS & set(vals):
            if not self.env.context.get("callback_risk_merge"):
                self._refuse_risk_write()
            # a partner merge copies every field: the risk is computed again after it (the flag only drops values)
            vals = {name: value for name, value in vals.items() if name not in RISK_FIELDS}
        return super().write(vals)

    def _refuse_risk_write(self):
        raise AccessError(self.env._("The callback risk is computed from the callbacks; it cannot be set by hand."))

    @api.model
    def _update_changed_callback_risk(self):
        """The hourly check's part: the risk of the customers whose callbacks, complaints or claims changed since
        its last run (of every customer on the first run). Returns the ids of the customers whose risk changed."""
        with changes_since_last_run(self.env, RISK_CHECKED_AT) as (since, _started):
            if not since:
                return self._update_callback_risk()
            self.env.flush_all()
            self.env.cr.execute(SQL(
                """
                SELECT partner_id FROM claim_callback WHERE write_date >= %(since)s AND partner_id IS NOT NULL
                 UNION
                SELECT partner_id FROM helpdesk_ticket
                 WHERE write_date >= %(since)s AND (is_complaint OR is_claim) AND partner_id IS NOT NULL
                """,
                since=since,
            ))
            return self._update_callback_risk(self.browse([row[0] for row in self.env.cr.fetchall()]))

    @api.model
    def _update_callback_risk(self, partners=None):
        """Store the callback risk of `partners` (all customers when None) in each company; return the ids of the
        customers whose risk changed in one.

        One UPDATE whatever the number of customers and companies: each company reads only its own callbacks and
        tickets. Thresholds: the company's 'High risk from satisfaction' (2) of its latest completed callback, and
        3 for 'watch'."""
        if partners is not None and not partners:
            return []
        self.env.flush_all()
        only = SQL("AND cb.partner_id = ANY(%s)", partners.ids) if partners is not None else SQL()
        only_t = SQL("AND t.partner_id = ANY(%s)", partners.ids) if partners is not None else SQL()
        only_p = SQL("AND p.id = ANY(%s)", partners.ids) if partners is not None else SQL()
        self.env.cr.execute(SQL(
            """
            WITH latest AS (
                SELECT DISTINCT ON (cb.partner_id, cb.company_id) cb.partner_id, cb.company_id, cb.satisfaction,
                       cb.sentiment, cb.satisfaction <= c.callback_risk_high_satisfaction AS low
                  FROM claim_callback cb JOIN res_company c ON c.id = cb.company_id
                 WHERE cb.state = 'done' AND cb.partner_id IS NOT NULL %(only)s
              ORDER BY cb.partner_id, cb.company_id, cb.completed_date DESC NULLS LAST, cb.id DESC
            ), complaint AS (
                SELECT DISTINCT t.partner_id, t.company_id FROM helpdesk_ticket t
                  JOIN helpdesk_ticket_stage s ON s.id = t.stage_id
                 WHERE t.is_complaint AND NOT COALESCE(s.closed, false) AND t.partner_id IS NOT NULL
                   AND t.company_id IS NOT NULL %(only_t)s
            ), limited AS (
                SELECT DISTINCT t.partner_id, t.company_id FROM helpdesk_ticket t
                 WHERE t.is_claim AND t.callback_status = 'limit_reached' AND t.partner_id IS NOT NULL
                   AND t.company_id IS NOT NULL %(only_t)s
            ), stored AS (
                SELECT p.id AS partner_id, r.key::int AS company_id
                  FROM res_partner p CROSS JOIN LATERAL jsonb_each_text(p.callback_risk) r
                 WHERE p.callback_risk IS NOT NULL AND r.value IN ('watch', 'high') %(only_p)s
            ), candidates AS (
                SELECT partner_id, company_id FROM latest UNION SELECT partner_id, company_id FROM complaint
                UNION SELECT partner_id, company_id FROM limited UNION SELECT partner_id, company_id FROM stored
            ), reason AS (
                SELECT p.partner_id, p.company_id,
                       CASE WHEN l.low THEN 'low_satisfaction'
                            WHEN co.partner_id IS NOT NULL THEN 'open_complaint'
                            WHEN li.partner_id IS NOT NULL THEN 'limit_reached'
                            WHEN l.sentiment = 'negative' THEN 'negative_sentiment'
                            WHEN l.satisfaction = 3 THEN 'medium_satisfaction' END AS reason
                  FROM candidates p
             LEFT JOIN latest l ON l.partner_id = p.partner_id AND l.company_id = p.company_id
             LEFT JOIN complaint co ON co.partner_id = p.partner_id AND co.company_id = p.company_id
             LEFT JOIN limited li ON li.partner_id = p.partner_id AND li.company_id = p.company_id
            ), risk AS (
                SELECT partner_id, company_id::text AS company, reason,
                       CASE WHEN reason IN ('low_satisfaction', 'open_complaint', 'limit_reached') THEN 'high'
                            WHEN reason IS NOT NULL THEN 'watch' ELSE 'none' END AS risk
                  FROM reason
            ), changed AS (
                SELECT r.partner_id, jsonb_object_agg(r.company, r.risk) AS risks,
                       jsonb_object_agg(r.company, r.reason) AS reasons
                  FROM risk r JOIN res_partner rp ON rp.id = r.partner_id
                 WHERE COALESCE(rp.callback_risk->>r.company, 'none') IS DISTINCT FROM r.risk
                    OR rp.callback_risk_reason->>r.company IS DISTINCT FROM r.reason
              GROUP BY r.partner_id
            )
            UPDATE res_partner rp
               SET callback_risk = COALESCE(rp.callback_risk, '{}'::jsonb) || c.risks,
                   callback_risk_reason = COALESCE(rp.callback_risk_reason, '{}'::jsonb) || c.reasons
              FROM changed c
             WHERE rp.id = c.partner_id
         RETURNING rp.id
            """,
            only=only, only_t=only_t, only_p=only_p,
        ))
        changed = [row[0] for row in self.env.cr.fetchall()]
        if changed:
            self.browse(changed).invalidate_recordset(["callback_risk", "callback_risk_reason"])
        return changed
