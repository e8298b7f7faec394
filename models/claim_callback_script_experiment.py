"""A/B test of call scripts of one segment (README: Script experiments).

Life: draft (variants and shares editable) → running (callbacks get a variant when created,
nothing of the design changes) → done (the kept script is the segment's; the other scripts of
the company are archived). The figures and their comparison live on the variants
(claim_callback_script_variant.py); the method is in lib/experiment.py.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .claim_callback import SUPERVISOR_GROUP

# What makes two scripts compete for the same callbacks (claim_callback_script.CRITERIA).
SEGMENT_FIELDS = ("claim_category_id", "partner_category_ids", "channel", "lang")
# Fields a user may still change on a running or ended experiment.
FREE_WHEN_STARTED = frozenset({"name"})
MIN_COMPLETED = (10, 100_000)


class ClaimCallbackScriptExperiment(models.Model):
    _name = "claim.callback.script.experiment"
    _inherit = ["claim.bounds.mixin", "claim.protected.mixin"]
    _description = "Script Experiment"
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(required=True)
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Ended")],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        index=True,
    )
    primary_metric = fields.Selection(
        [
            ("satisfaction_rate", "Satisfaction rate"),
            ("completion_rate", "Completion rate"),
            ("nps", "NPS"),
            ("call_minutes", "Call minutes"),
            ("complaint_rate", "Complaint rate"),
        ],
        required=True,
        default="satisfaction_rate",
        help="The figure that decides which variant leads; the others are shown beside it.",
    )
    min_completed = fields.Integer(
        string="Minimum Completed per Variant",
        default=30,
        required=True,
        help="No variant is said to lead before every variant has this many completed callbacks.",
    )
    variant_ids = fields.One2many("claim.callback.script.variant", "experiment_id", string="Variants", copy=True)
    date_start = fields.Datetime(string="Started", readonly=True, copy=False)
    date_end = fields.Datetime(string="Ended", readonly=True, copy=False)
    winner_variant_id = fields.Many2one("claim.callback.script.variant", string="Kept Variant", readonly=True,
                                        copy=False)
    share_total = fields.Integer(compute="_compute_share_total", string="Shares (%)")
    verdict = fields.Text(compute="_compute_verdict", help="Which variant leads on the decisive figure, and why.")

    def _get_field_bounds(self):
        return {**super()._get_field_bounds(), "min_completed": MIN_COMPLETED}

    @api.model
    def _protected_fields(self):
        return super()._protected_fields() | {"state", "date_start", "date_end", "winner_variant_id"}

    @api.depends("variant_ids.share")
    def _compute_share_total(self):
        for experiment in self:
            experiment.share_total = sum(experiment.variant_ids.mapped("share"))

    @api.depends_context("lang")
    @api.depends("state", "primary_metric", "min_completed", "variant_ids")
    def _compute_verdict(self):
        for experiment in self:
            experiment.verdict = experiment._explain()

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_protected(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_protected(vals)
        if not self.env.su and set(vals) - FREE_WHEN_STARTED:
            self._check_draft()
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        self._check_draft()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_start(self):
        self._check_supervisor()
        for experiment in self:
            experiment._check_startable()
        # checked: the state is the system's (protected field)
        self.sudo().write({"state": "running", "date_start": fields.Datetime.now()})

    def action_view_callbacks(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "insurance_claim_callback.claim_callback_script_experiment_analysis_action"
        )
        action["domain"] = [("experiment_id", "=", self.id)]
        return action

    def _end(self, winner):
        """End the experiment keeping `winner`'s script: the company's other scripts of the
        experiment are archived (shared ones are left: the company's own script outranks them)."""
        self._check_supervisor()
        self.ensure_one()
        if self.state != "running":
            raise UserError(self.env._("Only a running experiment can be ended."))
        self.sudo().write({"state": "done", "date_end": fields.Datetime.now(), "winner_variant_id": winner.id})
        losers = (self.variant_ids - winner).script_id.filtered(lambda s: s.company_id and s != winner.script_id)
        # sudo: ending is a supervisor's decision; scripts are otherwise changed by managers only
        losers.sudo().active = False

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_supervisor(self):
        if not self.env.su and not self.env.user.has_group(SUPERVISOR_GROUP):
            raise AccessError(self.env._("Only callback supervisors and managers start and end script experiments."))
        self.check_access("write")

    def _check_draft(self):
        started = self.filtered(lambda e: e.state != "draft")
        if started:
            raise UserError(
                self.env._(
                    "%(experiment)s has started: its variants, shares and settings stay as they are until it ends "
                    "(start a new experiment to test something else).",
                    experiment=started[0].name,
                )
            )

    def _check_startable(self):
        if self.state != "draft":
            raise UserError(self.env._("%(experiment)s has already started.", experiment=self.name))
        variants = self.variant_ids
        scripts = variants.script_id
        if len(variants) < 2 or len(scripts) != len(variants):
            raise ValidationError(self.env._("An experiment compares at least two different scripts."))
        if sum(variants.mapped("share")) != 100:
            raise ValidationError(
                self.env._("The shares add up to %(total)s %%; they must add up to 100 %%.",
                           total=sum(variants.mapped("share")))
            )
        foreign = scripts.filtered(lambda s: s.company_id not in (self.company_id, self.env["res.company"]))
        if foreign or len(scripts.filtered(lambda s: not s.company_id)) > 1 or not all(scripts.mapped("active")):
            raise ValidationError(
                self.env._("The scripts must be active and belong to %(company)s (one shared script at most).",
                           company=self.company_id.name)
            )
        if len({script._segment_key() for script in scripts}) > 1:
            raise ValidationError(
                self.env._("The scripts of an experiment must have the same claim category, customer segments, "
                           "channel and language: they then compete for the same callbacks.")
            )
        if self._running_on_segment(scripts[0]._segment_key()):
            raise ValidationError(
                self.env._("Another experiment is already running on this segment: end it first.")
            )

    def _has_enough_data(self, stats):
        """Every variant has `min_completed` completed callbacks (`stats`: the variants' _read_stats)."""
        return bool(self.variant_ids) and all(
            (stats.get(variant._origin.id) or {}).get("completed_count", 0) >= self.min_completed
            for variant in self.variant_ids
        )

    def _running_on_segment(self, key):
        running = self.sudo().search(
            [("company_id", "=", self.company_id.id), ("state", "=", "running"), ("id", "!=", self.id)]
        )
        return running.filtered(lambda e: e.variant_ids[:1].script_id._segment_key() == key)

    # ------------------------------------------------------------------
    # Explanation
    # ------------------------------------------------------------------

    def _explain(self):
        """One or two sentences in the reader's language: the shares to fix, the data still
        missing, or which variant leads on the decisive figure with its interval."""
        variants = self.variant_ids
        if self.state == "draft":
            if sum(variants.mapped("share")) != 100:
                return self.env._("The shares add up to %(total)s %%; they must add up to 100 %%.",
                                  total=sum(variants.mapped("share")))
            return self.env._("Not started: callbacks get a variant from the start on.")
        if not variants:
            return False
        fewest = min(variants, key=lambda v: (v.completed_count, v.sequence, v.id))
        if fewest.completed_count < self.min_completed:
            return self.env._(
                "Not enough data yet: each variant needs %(min)s completed callbacks; %(variant)s has %(count)s.",
                min=self.min_completed,
                variant=fewest.display_name,
                count=fewest.completed_count,
            )
        return variants._explain_primary()
