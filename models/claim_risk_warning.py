"""Early warnings (README: Early warning and trends): one record per condition that holds, opened,
acknowledged and resolved by the hourly risk check. The conditions are in claim_risk_warning_conditions.py.

A warning stores its kind and values, never a sentence: `message` is rendered in the reader's language."""

import contextlib
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import plaintext2html, split_every

from .batch import create_skipping_duplicates
from .claim_callback import BATCH_CONTEXT, SUPERVISOR_GROUP
from .claim_callback_channel import CHANNELS

_logger = logging.getLogger(__name__)

KINDS = [
    ("capacity_shortage", "Capacity Shortage"),
    ("channel_failure", "Channel Failure"),
    ("contact_failure", "Contact Failure"),
    ("topic_spike", "Topic Spike"),
    ("kpi_forecast", "KPI Forecast Misses Target"),
    ("customer_at_risk", "Customer at Risk"),
]
KEY_FIELDS = ("company_id", "team_id", "channel", "topic_id", "partner_id")
OPEN_CHUNK = 500  # warnings opened and told per commit of the hourly check


class ClaimRiskWarning(models.Model):
    _name = "claim.risk.warning"
    _description = "Callback Risk Warning"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    team_id = fields.Many2one("helpdesk.ticket.team", readonly=True, index="btree_not_null")
    channel = fields.Selection(CHANNELS, readonly=True)
    topic_id = fields.Many2one("claim.feedback.topic", readonly=True, index="btree_not_null")
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, index="btree_not_null")
    value = fields.Float(readonly=True, aggregator=False)
    threshold = fields.Float(readonly=True, aggregator=False)
    message_values = fields.Json(
        readonly=True, help="The figures the message quotes besides the value and threshold, set by the risk check."
    )
    message = fields.Text(compute="_compute_message", help="The warning in the reader's language.")
    date = fields.Datetime(string="Opened", required=True, readonly=True, default=fields.Datetime.now)
    state = fields.Selection(
        [("open", "Open"), ("acknowledged", "Acknowledged"), ("resolved", "Resolved")],
        default="open",
        required=True,
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    acknowledged_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    acknowledged_date = fields.Datetime(readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)
    record_count = fields.Integer(string="Records", compute="_compute_record_count")

    # At most one warning that is not resolved per key, whatever runs the check and how often.
    _one_active_per_key = models.UniqueIndex(
        "(kind, company_id, COALESCE(team_id, 0), COALESCE(channel, ''), COALESCE(topic_id, 0), "
        "COALESCE(partner_id, 0)) WHERE state != 'resolved'",
        "A warning of this kind is already open for this company, team, channel, topic and customer.",
    )

    @api.depends("kind", "company_id", "team_id", "channel", "topic_id", "partner_id")
    @api.depends_context("lang")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        channels = dict(self._fields["channel"]._description_selection(self.env))
        for warning in self:
            subject = (
                warning.team_id.display_name or warning.topic_id.display_name or warning.partner_id.display_name
                or channels.get(warning.channel) or warning.company_id.name
            )
            warning.display_name = f"{kinds.get(warning.kind, '')}: {subject}" if subject else kinds.get(warning.kind)

    @api.depends("kind", "value", "threshold", "message_values", "team_id", "channel", "topic_id", "partner_id")
    @api.depends_context("lang")
    def _compute_message(self):
        for warning in self:
            render = warning.kind and getattr(warning, f"_message_{warning.kind}")
            warning.message = render(warning.message_values or {}) if render else False

    def _compute_record_count(self):
        for warning in self:
            model, domain = warning._records_domain()
            warning.record_count = self.env[model].search_count(domain) if model else 0

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_acknowledge(self):
        """Supervisors: someone is on it. The warning stays until its condition ends; the to-do it gave is done."""
        self._check_supervisor()
        if self.filtered(lambda w: w.state != "open"):
            raise UserError(self.env._("Only open warnings can be acknowledged."))
        # sudo: the state is the risk check's; supervisors change it through this action only
        self.sudo().write(
            {"state": "acknowledged", "acknowledged_by_id": self.env.uid, "acknowledged_date": fields.Datetime.now()}
        )
        self._close_todos()
        return True

    def action_view_records(self):
        """The callbacks, attempts, customers or KPI rows behind the warning."""
        self.ensure_one()
        model, domain = self._records_domain()
        return {
            "type": "ir.actions.act_window",
            "name": self.display_name,
            "res_model": model,
            "view_mode": "list,form",
            "domain": domain,
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # The risk check: open what holds, keep what still holds, resolve the rest
    # ------------------------------------------------------------------

    @api.model
    def _cron_risk_check(self):
        """The hourly check; each condition is committed on its own."""
        self._check_risks(commit=True)

    @api.model
    def _check_risks(self, commit=False):
        """Evaluate every condition for every company, set-based (a few queries per condition); one
        that fails does not stop the others (it is logged, and raised once they have run)."""
        failed = []
        for model in ("claim.callback.attempt.hour", "claim.callback.topic.day"):
            self.env[model]._refresh()
        self = self.with_context(risk_counts_refreshed=True)  # noqa: PLW0642
        for done, (kind, _label) in enumerate(KINDS, start=1):
            # committing, the warnings it opens are committed in chunks (no savepoint can span a commit): a failure
            # rolls back what is left
            try:
                with contextlib.nullcontext() if commit else self.env.cr.savepoint():
                    self._sync_warnings(kind, getattr(self, f"_find_{kind}")(), commit=commit)
            except Exception:
                if commit:
                    self.env.cr.rollback()
                _logger.exception("Risk check: the condition %s failed; the others go on", kind)
                failed.append(kind)
            if commit:
                self.env["ir.cron"]._commit_progress(1, remaining=len(KINDS) - done)
        if failed:
            raise UserError(self.env._("Risk check failed for: %(kinds)s", kinds=", ".join(failed)))

    @api.model
    def _sync_warnings(self, kind, found, scope=(), commit=False):
        """`found`: {key: {"value", "threshold", "message_values"}} where the condition holds, key = the
        values of KEY_FIELDS. Opens the missing warnings, updates those whose values changed, resolves the rest
        (of the warnings within `scope`, a domain, when the condition was evaluated for some keys only). With
        `commit`, the warnings are opened and told in chunks, each committed: thousands at once (a history imported)
        get done over runs even if a run is stopped."""
        active = self.search([("kind", "=", kind), ("state", "!=", "resolved"), *scope])
        by_key = {warning._key(): warning for warning in active}
        now = fields.Datetime.now()
        gone = active.filtered(lambda w: w._key() not in found)
        if gone:
            gone.with_context(**BATCH_CONTEXT).write({"state": "resolved", "resolved_date": now})
            gone._close_todos()
        for key, vals in found.items():
            warning = by_key.get(key)
            if warning and any(warning[f] != vals[f] for f in vals):
                warning.with_context(**BATCH_CONTEXT).write(vals)
        new = [{"kind": kind, "date": now, **dict(zip(KEY_FIELDS, key, strict=True)), **vals}
               for key, vals in found.items() if key not in by_key]
        created = self.browse()
        for chunk in split_every(OPEN_CHUNK, new, list):
            opened = create_skipping_duplicates(self.with_context(**BATCH_CONTEXT), chunk)
            opened._notify_opened()
            created |= opened
            if commit:
                self.env["ir.cron"]._commit_progress()
        return created, gone

    def _close_todos(self):
        """Mark done the to-dos the warning gave (the activities of its own, whoever they are for)."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        # sudo: a supervisor closes the to-dos the warning gave the other supervisors too
        self.sudo().activity_ids.filtered(lambda a: a.activity_type_id == todo)._action_done()

    def _check_supervisor(self):
        if not self.env.user.has_group(SUPERVISOR_GROUP):
            raise AccessError(self.env._("Only callback supervisors can act on a risk warning."))
        self.check_access("read")

    @api.model
    def _told_supervisors(self, company, team, supervisors):
        if team.user_id in supervisors:
            return team.user_id
        of_company = supervisors.filtered(lambda user: company in user.company_ids)
        # sudo: which supervisors belong to the team decides who is told, whoever runs the check
        return of_company & team.sudo().user_ids or of_company

    def _key(self):
        self.ensure_one()
        return (self.company_id.id, self.team_id.id or False, self.channel or False, self.topic_id.id or False,
                self.partner_id.id or False)

    def _notify_opened(self):
        """An activity for the team leader when they supervise, else for the supervisors of the team, else for each
        supervisor of the company, in each one's language."""
        if not self:
            return
        group = self.env.ref(SUPERVISOR_GROUP)
        supervisors = group.all_user_ids.filtered(lambda u: u.active and not u.share)
        activity_type = self.env["ir.model.data"]._xmlid_to_res_id("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        told = {(warning.company_id, warning.team_id) for warning in self}
        told = {(company, team): self._told_supervisors(company, team, supervisors) for company, team in told}
        # the texts once per language, not per warning and reader
        texts = {
            lang: {warning.id: (warning.display_name, plaintext2html(warning.message))
                   for warning in self.with_context(lang=lang)}
            for lang in {user.lang for users in told.values() for user in users}
        }
        vals_list = [{
            "res_model_id": model_id,
            "res_id": warning.id,
            "activity_type_id": activity_type,
            "summary": texts[user.lang][warning.id][0],
            "note": texts[user.lang][warning.id][1],
            "user_id": user.id,
            "date_deadline": today,
        } for warning in self for user in told[warning.company_id, warning.team_id]]
        # sudo: the cron's user may not read the supervisors; the activity is only a notice
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(vals_list)
