from odoo import api, fields, models
from odoo.fields import Domain

SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    ("missed", "Missed"),
]
RUNNING_SLA_STATUSES = ("on_track", "at_risk", "breached")
FROZEN_SLA_STATUSES = ("met", "missed")  # a target's status once it is done
PRIORITY_MAX = "3"


class ClaimSlaMixin(models.AbstractModel):
    """The SLA engine of callbacks and feedback issues: statuses, transitions, escalation.

    A model using it has, per target name T of `_sla_targets()`, the fields
    `sla_T_deadline`, `sla_T_risk_date`, `sla_T_status` and `sla_T_escalated`, and says
    through the hooks below when a target runs, which rule applies and who is told.
    """

    _name = "claim.sla.mixin"
    _description = "Claim SLA Targets"

    @api.model
    def _sla_targets(self):
        """{target: the field that is set once the target is done}."""
        return {}

    @api.model
    def _sla_open_domain(self):
        """Records still being worked on: their running targets may be escalated."""
        raise NotImplementedError

    @api.model
    def _sla_running_domain(self, target):
        """Records whose `target` clock is running."""
        return self._sla_open_domain()

    @api.model
    def _sla_rule_path(self):
        """Path from the record to its claim.sla.rule."""
        return "sla_rule_id"

    def _sla_get_rule(self):
        self.ensure_one()
        return self.mapped(self._sla_rule_path())

    def _sla_get_leader(self):
        """Who hears of an escalation: the team leader."""
        self.ensure_one()
        return self.team_id.user_id

    def _sla_target_label(self, target):
        return {
            "first_contact": self.env._("first contact"),
            "completion": self.env._("completion"),
            "resolution": self.env._("resolution"),
        }[target]

    def _sla_freeze_vals(self, target, done_at):
        """Met or missed, once a target is done (a pause has already moved the deadline)."""
        self.ensure_one()
        if self[f"sla_{target}_status"] in FROZEN_SLA_STATUSES:
            return {}
        deadline = self[f"sla_{target}_deadline"]
        return {f"sla_{target}_status": "met" if not deadline or done_at <= deadline else "missed"}

    @api.model
    def _sla_steps(self, now):
        """(model, domain, apply, order) of each SLA transition and escalation of this model."""
        steps = []
        for target in self._sla_targets():
            status, deadline, risk = f"sla_{target}_status", f"sla_{target}_deadline", f"sla_{target}_risk_date"
            running = self._sla_running_domain(target)
            # each order is the key of its partial index: a batch is an index range scan
            steps += [
                (
                    self,
                    running & Domain([(status, "in", ("on_track", "at_risk")), (deadline, "<", now)]),
                    lambda recs, status=status: recs.write({status: "breached"}),
                    f"{deadline}, id",
                ),
                (
                    self,
                    running & Domain([(status, "=", "on_track"), (risk, "<=", now), (deadline, ">=", now)]),
                    lambda recs, status=status: recs.write({status: "at_risk"}),
                    f"{risk}, id",
                ),
            ]
        # the rules that escalate at risk: a handful, read once, so that each search reads only its index
        at_risk_rules = self.env["claim.sla.rule"].sudo().with_context(active_test=False).search(
            [("escalation_trigger", "=", "at_risk")]
        ).ids
        steps += [
            (
                self,
                self._sla_escalation_domain(target, at_risk_rules),
                lambda recs, t=target: recs._sla_escalate(t),
                "id",
            )
            for target in self._sla_targets()
        ]
        return steps

    @api.model
    def _sla_escalation_domain(self, target, at_risk_rules):
        status, escalated = f"sla_{target}_status", f"sla_{target}_escalated"
        return self._sla_open_domain() & Domain(escalated, "=", False) & (
            Domain(status, "=", "breached")
            | Domain([(status, "=", "at_risk"), (self._sla_rule_path(), "in", at_risk_rules)])
        )

    def _sla_escalate(self, target):
        """Escalate one target of these records, once: an activity for the leader and a
        priority raise, as the rule says."""
        activities, by_priority = [], {}
        for record in self:
            rule, leader = record._sla_get_rule(), record._sla_get_leader()
            if (not rule or rule.escalation_activity) and leader:
                summary = record.with_context(lang=leader.lang)._sla_escalation_summary(target)
                activities.append(record._sla_activity_vals(leader, summary))
            if rule.escalation_raise_priority and record.priority != PRIORITY_MAX:
                raised = str(int(record.priority or "0") + 1)
                by_priority[raised] = by_priority.get(raised, self.browse()) | record
        # sudo: the cron's user may not read the leader; the activity is only a notice.
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        for priority, records in by_priority.items():
            records.write({"priority": priority})
        self.write({f"sla_{target}_escalated": True})

    def _sla_escalation_summary(self, target):
        """The activity's title in the language of this record's environment (the leader's)."""
        self.ensure_one()
        labels = dict(self._fields[f"sla_{target}_status"]._description_selection(self.env))
        return self.env._(
            "SLA %(target)s %(status)s: %(record)s",
            target=self._sla_target_label(target),
            status=labels[self[f"sla_{target}_status"]].lower(),
            record=self.display_name,
        )

    def _sla_activity_vals(self, user, summary):
        self.ensure_one()
        return {
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "activity_type_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mail_activity_data_todo"),
            "summary": summary,
            "user_id": user.id,
            "date_deadline": fields.Date.context_today(self),
        }
