"""Script experiments on the callback: the variant it was given at creation (README: Script experiments)."""

from collections import defaultdict

from odoo import api, fields, models

from ..lib import experiment as experiment_lib
from .claim_callback import SUPERVISOR_GROUP


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    # Hidden from agents: they see the variant's script, not that it is one.
    script_variant_id = fields.Many2one(
        "claim.callback.script.variant",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=SUPERVISOR_GROUP,
    )
    # An NPS of 0 and no NPS are both stored as 0 (an integer column): this tells them apart.
    nps_given = fields.Boolean(string="NPS Given", readonly=True, copy=False)

    @api.depends("script_variant_id.script_id", "script_variant_id.experiment_id.state")
    def _compute_script_id(self):
        result = super()._compute_script_id()
        # sudo: an agent may read neither the variant nor the experiment, only the script it gives
        for callback, system_callback in zip(self, self.sudo(), strict=True):
            variant = system_callback.script_variant_id
            if variant.experiment_id.state == "running":
                script = variant.script_id.with_env(self.env)
                callback.script_id = script
                callback.script_question_ids = script.question_ids
        return result

    @api.model
    def _prepare_create_values(self, vals_list):
        # After the callers' values are checked: the variant is the system's, never the caller's.
        result = super()._prepare_create_values(vals_list)
        self._add_script_variant_vals(result)
        return result

    @api.model
    def _add_script_variant_vals(self, vals_list):
        """The variant of each new callback whose claim's script is in a running experiment of its
        company: a hash of the experiment and the claim (lib/experiment.py), so one claim keeps its
        variant, whichever batch creates its callbacks."""
        company_ids = {vals.get("company_id") for vals in vals_list}
        # sudo: the scheduler and the chain create callbacks as the system or for any user
        experiments = self.env["claim.callback.script.experiment"].sudo().search(
            [("state", "=", "running"), ("company_id", "in", list(company_ids))]
        )
        if not experiments:
            return
        variants_of = defaultdict(dict)  # company id → {script: variants of its experiment}
        for experiment in experiments:
            for script in experiment.variant_ids.script_id:
                variants_of[experiment.company_id.id][script] = experiment.variant_ids
        todo = [vals for vals in vals_list if vals.get("ticket_id") and vals.get("company_id") in variants_of]
        tickets = self.env["helpdesk.ticket"].sudo().browse({vals["ticket_id"] for vals in todo})
        scripts = self.env["claim.callback.script"].sudo()._find_for_tickets(tickets)
        for vals in todo:
            variants = variants_of[vals["company_id"]].get(scripts[vals["ticket_id"]])
            if variants:
                shares = variants.mapped("share")
                index = experiment_lib.variant_index(variants.experiment_id.id, vals["ticket_id"], shares)
                vals["script_variant_id"] = variants[index].id

    def register_result(self, satisfaction, nps=None, feedback=None, issues=None, suggestions=None, answers=None):
        result = super().register_result(satisfaction, nps, feedback, issues, suggestions, answers)
        if nps is not None:
            # checked by register_result; merged into its UPDATE at the flush
            self.sudo().nps_given = True
        return result
