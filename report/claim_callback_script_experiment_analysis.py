from odoo import fields, models
from odoo.tools import SQL


class ClaimCallbackScriptExperimentAnalysis(models.Model):
    """One row per claim of a script experiment (its first callback: one independent observation
    per claim; the claim's follow-ups get the same script but are not counted again), for the pivot
    and the variants' figures (claim_callback_script_variant.py). Each figure is 0 / 100 (rates), −100 / 0 / 100 (NPS) or
    minutes on the rows it concerns and empty on the others: its average is the variant's figure."""

    _name = "claim.callback.script.experiment.analysis"
    _description = "Script Experiment Analysis"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "callback_id"
    _depends = {
        "claim.callback": [
            "script_variant_id", "sequence", "company_id", "sla_start_date", "state", "satisfaction", "nps", "nps_given",
        ],
        "claim.callback.attempt": ["callback_id", "channel", "duration"],
        "claim.callback.script.variant": ["experiment_id", "script_id"],
        "helpdesk.ticket": ["source_callback_id", "is_complaint"],
        "res.company": ["callback_satisfied_score"],
    }

    callback_id = fields.Many2one("claim.callback", readonly=True)
    experiment_id = fields.Many2one("claim.callback.script.experiment", readonly=True)
    variant_id = fields.Many2one("claim.callback.script.variant", readonly=True)
    script_id = fields.Many2one("claim.callback.script", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Datetime(string="SLA Start", readonly=True)
    state = fields.Selection(lambda self: self.env["claim.callback"]._fields["state"].selection, readonly=True)
    completion_rate = fields.Float(string="Completion Rate (%)", readonly=True, aggregator="avg",
                                   help="Done among the callbacks that ended done or unreachable.")
    satisfaction_rate = fields.Float(string="Satisfaction Rate (%)", readonly=True, aggregator="avg")
    nps = fields.Float(string="NPS", readonly=True, aggregator="avg",
                       help="+100 a promoter (9-10), 0 a passive (7-8), −100 a detractor (0-6).")
    call_minutes = fields.Float(readonly=True, aggregator="avg",
                                help="Phone minutes of a completed callback, every attempt included.")
    complaint_rate = fields.Float(string="Complaint Rate (%)", readonly=True, aggregator="avg")
    complaints = fields.Integer(readonly=True, aggregator="sum")

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT cb.id, cb.id AS callback_id, v.experiment_id, cb.script_variant_id AS variant_id, v.script_id,
                   cb.company_id, cb.sla_start_date AS date, cb.state,
                   CASE cb.state WHEN 'done' THEN 100.0 WHEN 'unreachable' THEN 0.0 END::float AS completion_rate,
                   CASE WHEN cb.state = 'done' AND cb.satisfaction >= 1
                        THEN CASE WHEN cb.satisfaction >= co.callback_satisfied_score THEN 100.0 ELSE 0.0 END
                   END::float AS satisfaction_rate,
                   CASE WHEN cb.state = 'done' AND cb.nps_given
                        THEN CASE WHEN cb.nps >= 9 THEN 100.0 WHEN cb.nps <= 6 THEN -100.0 ELSE 0.0 END
                   END::float AS nps,
                   CASE WHEN cb.state = 'done' THEN COALESCE(a.seconds, 0) / 60.0 END::float AS call_minutes,
                   CASE WHEN cb.state = 'done' THEN CASE WHEN c.complaints > 0 THEN 100.0 ELSE 0.0 END
                   END::float AS complaint_rate,
                   COALESCE(c.complaints, 0) AS complaints
              FROM claim_callback cb
              JOIN claim_callback_script_variant v ON v.id = cb.script_variant_id
              JOIN res_company co ON co.id = cb.company_id
         LEFT JOIN LATERAL (
                   SELECT sum(at.duration) AS seconds
                     FROM claim_callback_attempt at
                    WHERE at.callback_id = cb.id AND at.channel = 'phone'
                   ) a ON TRUE
         LEFT JOIN LATERAL (
                   SELECT count(*) AS complaints
                     FROM helpdesk_ticket t
                    WHERE t.source_callback_id = cb.id AND t.is_complaint
                   ) c ON TRUE
             WHERE cb.sequence = 1
            """
        )
