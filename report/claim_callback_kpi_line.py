from odoo import fields, models
from odoo.tools import SQL

from ..models.claim_callback_kpi import KPI_SPECS


class ClaimCallbackKpiLine(models.Model):
    """The monthly KPI snapshots, one row per KPI and month, so that one graph draws several
    KPIs (one line each). A KPI that is n/a (NULL in the snapshot) has no row: graphs skip it
    instead of plotting a 0. The company's current month has none either: a month to date is no
    month yet, and its partial figures would draw a dip at the end of every line."""

    _name = "claim.callback.kpi.line"
    _description = "Monthly Callback KPI Value"
    _auto = False
    _order = "month desc, kpi"
    _rec_name = "kpi"
    _depends = {
        "claim.callback.kpi": ["month", "company_id", *(spec[0] for spec in KPI_SPECS)],
        "res.company": ["partner_id", *(spec[2] for spec in KPI_SPECS if spec[2])],
    }

    kpi_id = fields.Many2one("claim.callback.kpi", string="Snapshot", readonly=True)
    month = fields.Date(readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    kpi = fields.Selection(
        [
            ("coverage_72h", "Callback coverage 72 h"),
            ("first_contact_24h", "First contact 24 h"),
            ("satisfaction_rate", "Satisfaction rate"),
            ("issue_resolution_48h", "Issue resolution 48 h"),
            ("complaint_rate_change", "Complaint rate change"),
            ("repeat_claim_rate_change", "Repeat-claim rate change"),
        ],
        string="KPI",
        readonly=True,
    )
    value = fields.Float(string="Value (%)", readonly=True, aggregator="avg")
    target = fields.Float(string="Target (%)", readonly=True, aggregator="avg", help="The company's target.")
    result = fields.Selection(
        [("met", "Target met"), ("missed", "Target missed")], readonly=True, help="Empty: the KPI has no target."
    )

    @property
    def _table_query(self):
        selects = [
            SQL(
                """
                SELECT k.id * %(n)s + %(i)s AS id, k.id AS kpi_id, k.month, k.company_id, %(kpi)s AS kpi,
                       k.%(column)s AS value, %(target)s AS target,
                       CASE WHEN %(target)s IS NULL THEN NULL WHEN %(met)s THEN 'met' ELSE 'missed' END AS result
                  FROM claim_callback_kpi k
                  JOIN res_company c ON c.id = k.company_id JOIN res_partner p ON p.id = c.partner_id
                 WHERE k.%(column)s IS NOT NULL
                   AND k.month < date_trunc('month', timezone(COALESCE(p.tz, 'UTC'), now()))::date
                """,
                n=len(KPI_SPECS),
                i=i,
                kpi=field,
                column=SQL.identifier(field),
                target=SQL("c.%s", SQL.identifier(target)) if target else SQL("NULL::float"),
                met=SQL("k.%s >= c.%s" if higher else "k.%s <= c.%s", SQL.identifier(field), SQL.identifier(target))
                if target else SQL("false"),
            )
            for i, (field, _denominator, target, higher) in enumerate(KPI_SPECS)
        ]
        return SQL(" UNION ALL ").join(selects)
