"""SLA of a callback: deadlines from its rule, the pause while the customer asked to wait,
the SLA cron (the engine itself is claim.sla.mixin, shared with feedback issues)."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain

from .batch import process_locked_batch
from .claim_callback import OPEN_STATES
from .claim_sla_mixin import FROZEN_SLA_STATUSES, SLA_STATUSES
from .res_config_settings import callback_param


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    sla_start_date = fields.Datetime(
        string="SLA Start",
        required=True,
        readonly=True,
        default=fields.Datetime.now,
        help="When the SLA clocks started: the claim's closure for the first callback.",
    )
    sla_first_contact_deadline = fields.Datetime(string="First Contact Due", tracking=True)
    sla_completion_deadline = fields.Datetime(string="Completion Due", index=True, tracking=True)
    sla_rule_id = fields.Many2one(
        "claim.sla.rule", string="SLA Rule", index="btree_not_null", ondelete="set null", readonly=True,
        help="Empty: the default targets (24 h / 72 h / 48 h in calendar hours).",
    )
    sla_first_contact_status = fields.Selection(
        SLA_STATUSES, string="First Contact SLA", default="on_track", required=True, copy=False
    )
    sla_completion_status = fields.Selection(
        SLA_STATUSES, string="Completion SLA", default="on_track", required=True, copy=False
    )
    sla_first_contact_risk_date = fields.Datetime(string="First Contact At Risk From", readonly=True, copy=False)
    sla_completion_risk_date = fields.Datetime(string="Completion At Risk From", readonly=True, copy=False)
    sla_first_contact_escalated = fields.Boolean(string="First Contact Escalated", readonly=True, copy=False, default=False)
    sla_completion_escalated = fields.Boolean(string="Completion Escalated", readonly=True, copy=False, default=False)
    sla_paused_since = fields.Datetime(
        string="SLA Paused Since", readonly=True, copy=False,
        help="The completion clock stops while the customer asked to be called back later.",
    )
    sla_pause_until = fields.Datetime(string="Customer Asked for a Call At", readonly=True, copy=False)
    sla_paused_hours = fields.Float(
        string="SLA Paused (hours)", readonly=True, copy=False, help="Total time the completion clock was paused."
    )
    sla_completion_label = fields.Char(
        string="Completion SLA State",
        compute="_compute_sla_completion_label",
        help="The completion SLA's status, or until when it is paused (the customer's time).",
    )

    # The SLA cron's searches, one partial index each, shaped like the SQL the ORM writes for them (a boolean
    # "= False" is "IS NOT TRUE"): a call with nothing due reads a few index pages at any table size
    # (bench/README.md: SLA, with the EXPLAIN of each search).
    _sla_first_contact_breach_idx = models.Index(
        "(sla_first_contact_deadline, id) WHERE state IN ('scheduled', 'in_progress') "
        "AND sla_first_contact_status IN ('on_track', 'at_risk') AND first_attempt_date IS NULL"
    )
    _sla_first_contact_risk_idx = models.Index(
        "(sla_first_contact_risk_date, id) WHERE state IN ('scheduled', 'in_progress') "
        "AND sla_first_contact_status = 'on_track' AND first_attempt_date IS NULL"
    )
    _sla_completion_breach_idx = models.Index(
        "(sla_completion_deadline, id) WHERE state IN ('scheduled', 'in_progress') "
        "AND sla_completion_status IN ('on_track', 'at_risk') AND completed_date IS NULL AND sla_paused_since IS NULL"
    )
    _sla_completion_risk_idx = models.Index(
        "(sla_completion_risk_date, id) WHERE state IN ('scheduled', 'in_progress') "
        "AND sla_completion_status = 'on_track' AND completed_date IS NULL AND sla_paused_since IS NULL"
    )
    _sla_first_contact_escalate_idx = models.Index(
        "(sla_first_contact_status, sla_rule_id) WHERE state IN ('scheduled', 'in_progress') "
        "AND sla_first_contact_escalated IS NOT TRUE AND sla_first_contact_status IN ('at_risk', 'breached')"
    )
    _sla_completion_escalate_idx = models.Index(
        "(sla_completion_status, sla_rule_id) WHERE state IN ('scheduled', 'in_progress') "
        "AND sla_completion_escalated IS NOT TRUE AND sla_completion_status IN ('at_risk', 'breached')"
    )
    _sla_resume_idx = models.Index("(sla_pause_until, id) WHERE sla_paused_since IS NOT NULL")

    @api.depends("sla_completion_status", "sla_paused_since", "sla_pause_until", "partner_id.tz")
    @api.depends_context("lang")
    def _compute_sla_completion_label(self):
        labels = dict(self._fields["sla_completion_status"]._description_selection(self.env))
        memo = {}
        for callback in self:
            if callback.sla_paused_since and callback.sla_completion_status not in FROZEN_SLA_STATUSES:
                callback.sla_completion_label = callback._sla_paused_label(memo)
            else:
                callback.sla_completion_label = labels.get(callback.sla_completion_status, False)

    def _sla_paused_label(self, memo=None):
        """'Paused until 02:30 PM (Taipei Time)' (the date too if not the customer's today): the one way a paused
        SLA reads, in the form, the lists, SLA Risk and the queue."""
        self.ensure_one()
        return self.env._(
            "Paused until %(when)s",
            when=self._format_customer_moment(self.sla_pause_until, fields.Datetime.now(), memo),
        )

    @api.model
    def _add_sla_vals(self, vals_list):
        """Fill rule, deadlines and at-risk dates in callback values, for a batch:
        the rules' cached criteria, one deadline computation per calendar."""
        if not vals_list:
            return
        tickets = self.env["helpdesk.ticket"].browse({vals["ticket_id"] for vals in vals_list})
        matched = self.env["claim.sla.rule"]._match_tickets(tickets)
        now = fields.Datetime.now()
        by_rule = {}
        for vals in vals_list:
            if "sla_rule_id" not in vals:
                vals["sla_rule_id"] = matched[vals["ticket_id"]].id
            vals["sla_start_date"] = vals.get("sla_start_date") or now
            by_rule.setdefault(vals["sla_rule_id"], []).append(vals)
        Rule = self.env["claim.sla.rule"]
        rules = {rule.id: rule for rule in Rule.browse([rule_id for rule_id in by_rule if rule_id])}  # read together
        starts_by_rule = {
            rules.get(rule_id, Rule): [fields.Datetime.to_datetime(vals["sla_start_date"]) for vals in rule_vals]
            for rule_id, rule_vals in by_rule.items()
        }
        plans = Rule._plan_targets_by_rule(starts_by_rule, list(self._sla_targets()))
        for rule_id, rule_vals in by_rule.items():
            for vals, targets in zip(rule_vals, plans[rules.get(rule_id, Rule)], strict=True):
                for target, (deadline, risk_date) in targets.items():
                    vals[f"sla_{target}_deadline"] = deadline
                    vals[f"sla_{target}_risk_date"] = risk_date

    def _sla_pause(self, until):
        """Stop the completion clock from now until `until` (the time the customer chose).

        While paused, the completion deadline and at-risk date read as they will once the clock
        resumes at `until`: the working time left now counts from then (`_sla_resume` moves them
        again if the customer is reached earlier)."""
        now = fields.Datetime.now()
        for callback in self:
            vals = {"sla_paused_since": now, "sla_pause_until": until, "next_attempt_date": until}
            vals.update(callback._sla_shifted_completion(now, until))
            callback.write(vals)

    def _sla_resume(self, at=None):
        """Restart the paused completion clock at `at`, at the latest at the time the customer
        chose (the default): the working time that was left at the pause counts from then."""
        for callback in self.filtered("sla_paused_since"):
            paused, until = callback.sla_paused_since, callback.sla_pause_until
            at = max(min(at or until, until), paused)
            vals = {
                "sla_paused_since": False,
                "sla_pause_until": False,
                "sla_paused_hours": callback.sla_paused_hours + (at - paused).total_seconds() / 3600,
            }
            if at < until:  # reached earlier than planned: the deadlines planned from `until` come closer
                vals.update(callback._sla_shifted_completion(until, at, moved_only=True))
            callback.write(vals)

    def _sla_shifted_completion(self, since, resume_at, moved_only=False):
        """{field: value} of the completion deadline and at-risk date when the clock stops at
        `since` and runs again at `resume_at`: the working time left after `since` counts from
        `resume_at`. A date already passed at `since` stays (`moved_only`: one that a pause
        moved to `since` or later)."""
        self.ensure_one()
        rule, vals = self.sla_rule_id, {}
        for field in ("sla_completion_deadline", "sla_completion_risk_date"):
            value = self[field]
            if value and (value >= since if moved_only else value > since):
                vals[field] = rule._plan([(resume_at, rule._work_hours_between(since, value))])[0]
        return vals

    def action_recompute_sla(self):
        """Supervisors: apply the current SLA rules to these callbacks' running targets."""
        self._check_supervisor(self.env._("recompute SLA deadlines"))
        self.check_access("write")
        fields_to_log = ["sla_rule_id", "sla_first_contact_deadline", "sla_completion_deadline"]
        for callback in self:
            before = {name: callback[name] for name in fields_to_log}
            vals = {"ticket_id": callback.ticket_id.id, "sla_start_date": callback.sla_start_date}
            self._add_sla_vals([vals])
            new = {"sla_rule_id": vals["sla_rule_id"]}
            for target in self._sla_targets():
                if callback[f"sla_{target}_status"] in FROZEN_SLA_STATUSES:
                    continue  # a done target keeps the deadline it was measured against
                shift = timedelta(hours=callback.sla_paused_hours) if target == "completion" else timedelta()
                new[f"sla_{target}_deadline"] = vals[f"sla_{target}_deadline"] + shift
                new[f"sla_{target}_risk_date"] = vals[f"sla_{target}_risk_date"] + shift
                new[f"sla_{target}_status"] = "on_track"  # the SLA cron re-evaluates it
            callback._as_service().write(new)
            if callback.sla_paused_since:  # still paused: the new completion dates read as after the pause
                since, until = callback.sla_paused_since, callback.sla_pause_until
                callback._as_service().write(callback._sla_shifted_completion(since, until))
            fmt, env = callback._format_for_staff, callback._staff_env()
            callback.message_post(
                body=env._(
                    "SLA recomputed by %(user)s: rule %(old_rule)s → %(new_rule)s, first contact due %(old_fc)s → "
                    "%(new_fc)s, completion due %(old_c)s → %(new_c)s.",
                    user=self.env.user.name,
                    old_rule=before["sla_rule_id"].display_name or env._("default"),
                    new_rule=callback.sla_rule_id.display_name or env._("default"),
                    old_fc=fmt(before["sla_first_contact_deadline"]) or "–",
                    new_fc=fmt(callback.sla_first_contact_deadline) or "–",
                    old_c=fmt(before["sla_completion_deadline"]) or "–",
                    new_c=fmt(callback.sla_completion_deadline) or "–",
                )
            )
        return True

    @api.model
    def _cron_sla_check(self):
        processed, remaining = self._sla_check(callback_param(self.env, "batch_size"))
        self.env["ir.cron"]._commit_progress(processed, remaining=remaining)

    @api.model
    def _sla_check(self, limit=500):
        """One batch of SLA work: resume pauses that ended, move statuses, escalate.

        Each status transition is one locked batch of at most `limit` rows (one search,
        one write), whatever the number of open callbacks. Returns (processed, remaining).
        """
        now = fields.Datetime.now()
        processed = remaining = 0
        # No chatter tracking in the cron: statuses are not tracked, and a message per
        # record would cost a dozen queries each; the escalation activity is the trace.
        self = self.with_context(tracking_disable=True)  # noqa: PLW0642
        steps = [
            (self, self._sla_resume_domain(now), lambda recs: recs._sla_resume(), "id"),
            *self._sla_steps(now),
            *self.env["helpdesk.ticket"]._sla_steps(now),
        ]
        for model, domain, apply, order in steps:
            done, left = process_locked_batch(model, domain, limit, apply, order)
            processed += done
            remaining += left
        return processed, remaining

    @api.model
    def _sla_resume_domain(self, now):
        return Domain([("sla_paused_since", "!=", False), ("sla_pause_until", "<=", now)])

    @api.model
    def _sla_targets(self):
        return {"first_contact": "first_attempt_date", "completion": "completed_date"}

    @api.model
    def _sla_open_domain(self):
        return Domain("state", "in", OPEN_STATES)

    @api.model
    def _sla_running_domain(self, target):
        running = self._sla_open_domain() & Domain(self._sla_targets()[target], "=", False)
        if target == "completion":  # a paused clock does not run
            running &= Domain("sla_paused_since", "=", False)
        return running

    def _sla_escalate(self, target):
        """Besides the activity and priority: reassignment and e-mail, as the rule says."""
        to_assign, by_user = [], {}
        for callback in self:
            rule, leader = callback.sla_rule_id, callback.team_id.user_id
            if rule.escalation_reassign == "supervisor" and leader and leader != callback.user_id:
                by_user[leader.id] = by_user.get(leader.id, self.browse()) | callback
            elif rule.escalation_reassign == "least_loaded" and callback.team_id:
                to_assign.append(callback)
        if to_assign:
            vals_list = self._assign_least_loaded(
                [{"team_id": c.team_id.id, "company_id": c.company_id.id} for c in to_assign]
            )
            for callback, vals in zip(to_assign, vals_list, strict=True):
                if vals.get("user_id") and vals["user_id"] != callback.user_id.id:
                    by_user[vals["user_id"]] = by_user.get(vals["user_id"], self.browse()) | callback
        for user_id, callbacks in by_user.items():
            callbacks.write({"user_id": user_id})
        for rule, callbacks in self.grouped("sla_rule_id").items():
            if rule.escalation_mail_template_id:
                rule.escalation_mail_template_id.send_mail_batch(callbacks.ids)
        return super()._sla_escalate(target)
