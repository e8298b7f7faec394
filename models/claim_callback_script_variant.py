from odoo import api, fields, models
from odoo.tools import SQL

from ..lib import experiment as experiment_lib
from .claim_bounds_mixin import SEQUENCE

SHARE = (1, 99)
# figure: (kind, denominator, numerator or mean, higher is better); columns of _stats_sql
METRICS = {
    "completion_rate": ("rate", "finished", "completed", True),
    "satisfaction_rate": ("rate", "rated", "satisfied", True),
    "nps": ("mean", "nps_count", "nps", True),
    "call_minutes": ("mean", "minutes_count", "call_minutes", False),
    "complaint_rate": ("rate", "completed", "complained", False),
}
FIGURES = ("callback_count", "completed_count", *METRICS)


class ClaimCallbackScriptVariant(models.Model):
    _name = "claim.callback.script.variant"
    _inherit = ["claim.bounds.mixin"]
    _description = "Script Experiment Variant"
    _order = "experiment_id, sequence, id"

    experiment_id = fields.Many2one(
        "claim.callback.script.experiment", required=True, index=True, ondelete="cascade"
    )
    sequence = fields.Integer(default=10, help="The first variant is the control the others are compared with.")
    script_id = fields.Many2one("claim.callback.script", required=True, ondelete="restrict")
    share = fields.Integer(string="Share (%)", default=50, required=True,
                           help="Share of the segment's new callbacks that get this script.")
    is_control = fields.Boolean(compute="_compute_is_control", string="Control")
    callback_count = fields.Integer(compute="_compute_figures", string="Callbacks")
    completed_count = fields.Integer(compute="_compute_figures", string="Completed")
    completion_rate = fields.Float(compute="_compute_figures", string="Completion Rate (%)", digits=(16, 1),
                                   help="Done among the callbacks that ended done or unreachable.")
    satisfaction_rate = fields.Float(compute="_compute_figures", string="Satisfaction Rate (%)", digits=(16, 1),
                                     help="Satisfied (the company's satisfied score or more) among the rated.")
    nps = fields.Float(compute="_compute_figures", string="NPS", digits=(16, 1),
                       help="Promoters (9-10) minus detractors (0-6), in % of the customers who gave a score.")
    call_minutes = fields.Float(compute="_compute_figures", digits=(16, 1),
                                help="Average phone minutes per completed callback, every attempt included.")
    complaint_rate = fields.Float(compute="_compute_figures", string="Complaint Rate (%)", digits=(16, 1),
                                  help="Completed callbacks that raised a complaint.")
    complaint_count = fields.Integer(compute="_compute_figures", string="Complaints")
    completion_vs_control = fields.Char(compute="_compute_figures", string="Completion vs Control")
    satisfaction_vs_control = fields.Char(compute="_compute_figures", string="Satisfaction vs Control")
    nps_vs_control = fields.Char(compute="_compute_figures", string="NPS vs Control")
    minutes_vs_control = fields.Char(compute="_compute_figures", string="Minutes vs Control")
    complaint_vs_control = fields.Char(compute="_compute_figures", string="Complaints vs Control")

    def _get_field_bounds(self):
        return {**super()._get_field_bounds(), "share": SHARE, "sequence": SEQUENCE}

    @api.depends("experiment_id.variant_ids.sequence")
    def _compute_is_control(self):
        for variant in self:
            variant.is_control = variant == variant.experiment_id.variant_ids[:1]

    @api.depends("script_id", "experiment_id.variant_ids")
    def _compute_display_name(self):
        for variant in self:
            variant.display_name = f"{variant._label()}: {variant.script_id.name or ''}"

    @api.depends("experiment_id.variant_ids", "experiment_id.min_completed")
    def _compute_figures(self):
        stats = self._read_stats()
        for variant in self:
            figures = stats.get(variant._origin.id, {})
            for name in FIGURES:
                variant[name] = figures.get(name) or 0
            variant.complaint_count = figures.get("complaints") or 0
            control = variant.experiment_id.variant_ids[:1]
            ready = variant.experiment_id._has_enough_data(stats)
            for name, field in (("completion_rate", "completion_vs_control"),
                                ("satisfaction_rate", "satisfaction_vs_control"), ("nps", "nps_vs_control"),
                                ("call_minutes", "minutes_vs_control"), ("complaint_rate", "complaint_vs_control")):
                difference = ready and variant != control and variant._compare(name, stats)
                variant[field] = self._format_difference(difference) if difference else False

    # ------------------------------------------------------------------
    # CRUD: the design of a started experiment does not change
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        experiments = self.env["claim.callback.script.experiment"].browse(
            [vals["experiment_id"] for vals in vals_list if vals.get("experiment_id")]
        )
        if not self.env.su:
            experiments._check_draft()
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self.experiment_id._check_draft()
            if vals.get("experiment_id"):
                self.experiment_id.browse(vals["experiment_id"])._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        self.experiment_id._check_draft()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_keep(self):
        """End the experiment keeping this variant's script as the segment's script."""
        self.ensure_one()
        self.experiment_id._end(self)

    # ------------------------------------------------------------------
    # Figures
    # ------------------------------------------------------------------

    def _label(self):
        """A, B, C... by position: the control is A."""
        variants = list(self.experiment_id.variant_ids)
        return chr(ord("A") + (variants.index(self) if self in variants else 0) % 26)

    def _read_stats(self):
        """{variant id: counts, rates, means and variances} of the variants' experiments, in one query."""
        variants = self.experiment_id.variant_ids._origin  # the saved ones (the form edits copies)
        if not variants:
            return {}
        self.env.flush_all()
        analysis = self.env["claim.callback.script.experiment.analysis"]
        self.env.cr.execute(SQL(
            """
            SELECT variant_id,
                   count(*) AS callback_count,
                   count(*) FILTER (WHERE state = 'done') AS completed_count,
                   count(completion_rate) AS finished, count(*) FILTER (WHERE state = 'done') AS completed,
                   avg(completion_rate)::float AS completion_rate,
                   count(satisfaction_rate) AS rated, count(*) FILTER (WHERE satisfaction_rate > 0) AS satisfied,
                   avg(satisfaction_rate)::float AS satisfaction_rate,
                   count(nps) AS nps_count, avg(nps)::float AS nps, var_samp(nps)::float AS nps_variance,
                   count(call_minutes) AS minutes_count, avg(call_minutes)::float AS call_minutes,
                   var_samp(call_minutes)::float AS call_minutes_variance,
                   count(*) FILTER (WHERE complaint_rate > 0) AS complained,
                   avg(complaint_rate)::float AS complaint_rate, sum(complaints)::int AS complaints
              FROM (%s) analysis
             WHERE variant_id IN %s
          GROUP BY variant_id
            """,
            analysis._table_query, tuple(variants.ids),
        ))
        return {row["variant_id"]: row for row in self.env.cr.dictfetchall()}

    def _compare(self, metric, stats):
        """(difference, low, high) of this variant's `metric` against the control's, or None."""
        experiment = self.experiment_id
        control = experiment.variant_ids[:1]
        kind, count, value, _higher = METRICS[metric]
        mine, theirs = stats.get(self._origin.id), stats.get(control._origin.id)
        if not mine or not theirs:
            return None
        level = experiment_lib.comparison_level(len(experiment.variant_ids) - 1)
        if kind == "rate":
            return experiment_lib.rate_difference(mine[value], mine[count], theirs[value], theirs[count], level)
        return experiment_lib.mean_difference(
            mine[value] or 0, mine[f"{value}_variance"] or 0, mine[count],
            theirs[value] or 0, theirs[f"{value}_variance"] or 0, theirs[count], level,
        )

    @api.model
    def _format_difference(self, difference):
        value, low, high = difference
        return self.env._("%(value)s (%(low)s to %(high)s)", value=f"{value:+.1f}", low=f"{low:+.1f}",
                          high=f"{high:+.1f}")

    def _explain_primary(self):
        """Which variant leads on the experiment's decisive figure (these are its variants)."""
        experiment = self.experiment_id[:1]
        metric = experiment.primary_metric
        higher = METRICS[metric][3]
        stats = self._read_stats()
        control, challengers = self[:1], self[1:]
        compared = [(v, v._compare(metric, stats)) for v in challengers]
        compared = [(v, d) for v, d in compared if d]
        if not compared:
            return self.env._("No comparison yet: a variant has no %(metric)s.", metric=self._metric_label(metric))
        values = {
            "metric": self._metric_label(metric),
            "unit": self.env._("min") if metric == "call_minutes" else self.env._("pts"),
            "level": f"{100 * experiment_lib.comparison_level(len(challengers)):g}",
            "control": control.display_name,
        }
        verdicts = {v: experiment_lib.verdict(d, higher) for v, d in compared}
        leaders = [(v, d) for v, d in compared if verdicts[v] == "leads"]
        if leaders:
            variant, difference = max(leaders, key=lambda vd: vd[1][0] if higher else -vd[1][0])
        else:
            variant, difference = min(compared, key=lambda vd: abs(vd[1][0]))
        values["variant"] = variant.display_name
        values["value"], values["low"], values["high"] = (f"{x:+.1f}" for x in difference)
        if leaders:
            return self.env._(
                "%(variant)s leads: %(value)s %(unit)s %(metric)s against %(control)s, "
                "%(level)s %% CI %(low)s to %(high)s.", **values
            )
        if all(verdicts[v] == "trails" for v, _d in compared):
            return self.env._(
                "%(control)s (control) leads: %(variant)s trails by %(value)s %(unit)s %(metric)s, "
                "%(level)s %% CI %(low)s to %(high)s.", **values
            )
        return self.env._(
            "No variant leads yet on %(metric)s: %(variant)s %(value)s %(unit)s against %(control)s, "
            "%(level)s %% CI %(low)s to %(high)s includes 0.", **values
        )

    def _metric_label(self, metric):
        return dict(self.experiment_id._fields["primary_metric"]._description_selection(self.env))[metric].lower()
