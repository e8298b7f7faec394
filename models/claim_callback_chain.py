"""The closed loop: the chain of callbacks until the customer is satisfied or a limit."""

import logging

from odoo import api, fields, models
from odoo.fields import Domain

from .batch import create_skipping_duplicates, process_locked_batch
from .claim_callback import BATCH_CONTEXT, OPEN_STATES
from .res_config_settings import callback_param

_logger = logging.getLogger(__name__)

class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    feedback_ticket_ids = fields.One2many("helpdesk.ticket", "source_callback_id", string="Feedback Issues")
    open_issue_count = fields.Integer(compute="_compute_open_issue_count")
    child_ids = fields.One2many("claim.callback", "parent_id", string="Next Callback")
    chain_state = fields.Selection(
        [
            ("waiting_issues", "Waiting for Issues"),
            ("next_due", "Next Callback Due"),
            ("next_scheduled", "Next Callback Scheduled"),
            ("satisfied", "Satisfied"),
            ("limit_reached", "Limit Reached"),
        ],
        readonly=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="What the closed loop decided after this callback's result.",
    )
    _one_next_uniq = models.UniqueIndex(
        "(parent_id) WHERE parent_id IS NOT NULL", "This callback already has a next one."
    )

    @api.depends("feedback_ticket_ids.stage_id.closed")
    def _compute_open_issue_count(self):
        for callback in self:
            callback.open_issue_count = len(callback.feedback_ticket_ids.filtered(lambda t: not t.stage_id.closed))

    def _needs_followup(self):
        self.ensure_one()
        return bool(
            self.satisfaction < self.company_id.callback_satisfied_score
            or self.sentiment == "negative"
            or self.feedback_ticket_ids
        )

    def _advance_chain(self):
        """Decide what follows each done callback; safe to call again at any time."""
        undecided = (False, "waiting_issues", "next_due")
        for callback in self.filtered(lambda c: c.state == "done" and c.chain_state in undecided):
            if not callback._needs_followup():
                callback._end_chain("satisfied", self.env._("Customer satisfied: the callback chain ends."))
            elif callback.open_issue_count:
                if callback.chain_state != "waiting_issues":
                    callback.chain_state = "waiting_issues"
                    callback._log_on_claim(
                        self.env._(
                            "%(n)s feedback issue(s) open: the next callback follows their resolution.",
                            n=callback.open_issue_count,
                        )
                    )
            elif callback.sequence >= callback.company_id.callback_chain_limit:
                callback._end_chain(
                    "limit_reached", self.env._("Callback limit reached without a satisfied customer.")
                )
                callback._notify_limit_reached()
            else:
                callback.chain_state = "next_due"
                callback._schedule_next_callback()

    def _end_chain(self, chain_state, message):
        self.chain_state = chain_state
        self._log_on_claim(message)

    def _notify_limit_reached(self):
        supervisor = self.team_id.user_id or self.env.ref("base.user_admin", raise_if_not_found=False)
        # In the supervisor's language: the cron or the agent recording the result may speak another.
        env = self.with_context(lang=supervisor.lang).env
        # The activity is the supervisor's: the agent recording the result may not see it afterwards.
        self.sudo().activity_schedule(
            "mail.mail_activity_data_todo",
            summary=env._("Callback limit reached"),
            note=env._(
                "The customer of claim %(claim)s is still not satisfied after %(n)s callbacks.",
                claim=self.ticket_id.claim_number,
                n=self.sequence,
            ),
            user_id=supervisor.id,
        )

    def _schedule_next_callback(self):
        """Create the next callback of the chain unless the claim already has an open one."""
        self.ensure_one()
        open_domain = [("ticket_id", "=", self.ticket_id.id), ("state", "in", OPEN_STATES)]
        if self.child_ids or self.search_count(open_domain):
            self.chain_state = "next_scheduled"
            return self.browse()
        vals = self._assign_least_loaded([self._prepare_next_callback_vals()])
        # The chain is the system's decision, not the agent's: agents cannot create callbacks.
        created = create_skipping_duplicates(self.sudo().with_context(**BATCH_CONTEXT), vals).with_env(self.env)
        self.chain_state = "next_scheduled"
        if created:
            self._log_on_claim(
                self._staff_env()._(
                    "Callback #%(seq)s scheduled, due %(due)s.",
                    seq=created.sequence,
                    due=self._format_for_staff(created.sla_completion_deadline),
                )
            )
        return created

    def _prepare_next_callback_vals(self):
        # its own SLA from now: create() plans the deadlines on the claim's rule
        return {
            "ticket_id": self.ticket_id.id,
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "team_id": self.team_id.id,
            "sequence": self.sequence + 1,
            "parent_id": self.id,
            "sla_start_date": fields.Datetime.now(),
        }

    @api.model
    def _cron_advance_chains(self):
        """Safety net: chains whose issues are all resolved, or whose next callback is still due."""
        processed, remaining = process_locked_batch(
            self, self._get_chain_actionable_domain(), callback_param(self.env, "batch_size"),
            lambda batch: batch._advance_each(),
        )
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    def _advance_each(self):
        """One failing chain does not stop the others: it is retried at the next run."""
        for callback in self:
            try:
                with self.env.cr.savepoint():
                    callback._advance_chain()
            except Exception:
                _logger.exception("Callback %s: its chain's next step failed; retried next run", callback.id)

    @api.model
    def _get_chain_actionable_domain(self):
        return Domain("state", "=", "done") & (
            Domain("chain_state", "=", "next_due")
            | (
                Domain("chain_state", "=", "waiting_issues")
                & Domain("feedback_ticket_ids", "not any", [("stage_id.closed", "=", False)])
            )
        )
