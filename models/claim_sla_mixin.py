from collections import Counter

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

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
                    lambda recs, status=status: recs._sla_update({status: "breached"}),
                    f"{deadline}, id",
                ),
                (
                    self,
                    running & Domain([(status, "=", "on_track"), (risk, "<=", now), (deadline, ">=", now)]),
                    lambda recs, status=status: recs._sla_update({status: "at_risk"}),
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

    def _sla_update(self, vals):
        """Write `vals` (values or SQL expressions) on these locked records in one UPDATE, not the ORM's write.

        Only for the cron's moves between running statuses and its escalation marks: no stored
        computation gives another result for them (`next_due_date` reads only whether a target is
        done), nothing is tracked in the cron, and the cache of these records is dropped.
        """
        if not self:
            return
        # pending writes and computations first, while these records are in the cache
        self.env.flush_all()
        assignments = [SQL("%s = %s", SQL.identifier(name), value) for name, value in vals.items()]
        self.env.cr.execute(
            SQL(
                "UPDATE %s SET %s, write_uid = %s, write_date = %s WHERE id = ANY(%s)",
                SQL.identifier(self._table),
                SQL(", ").join(assignments),
                self.env.uid,
                self.env.cr.now(),
                self.ids,
            )
        )
        self.invalidate_recordset()

    def _sla_escalate(self, target):
        """Escalate one target of these records, once: an activity for the leader and a
        priority raise, as the rule says."""
        to_tell, to_raise = {}, []
        for record in self:
            rule, leader = record._sla_get_rule(), record._sla_get_leader()
            if (not rule or rule.escalation_activity) and leader:
                to_tell.setdefault(leader.lang, []).append((record, leader))
            if rule.escalation_raise_priority and record.priority != PRIORITY_MAX:
                to_raise.append(record.id)
        activities = []
        self.mapped("display_name")  # what it reads, read once for all languages
        for lang, pairs in to_tell.items():
            # one environment per language: the summaries of all its records are rendered in it
            records = self.browse([record.id for record, _leader in pairs]).with_context(lang=lang)
            summaries = records._sla_escalation_summaries(target)
            activities += [
                record._sla_activity_vals(leader, summary)
                for (record, leader), summary in zip(pairs, summaries, strict=True)
            ]
        self._sla_create_activities(activities)
        raised = SQL("(COALESCE(priority, '0')::int + 1)::varchar")  # the rows are locked: as read above
        self._sla_update(
            {
                f"sla_{target}_escalated": True,
                "priority": SQL("CASE WHEN id = ANY(%s) THEN %s ELSE priority END", to_raise, raised),
            }
        )

    def _sla_create_activities(self, vals_list):
        """The escalation activities (`_sla_activity_vals`), written set-based: mail.activity's create costs about a
        millisecond a record (defaults, precomputed fields, the inverse cache of each record) and subscribes the
        assignees leader by leader. What it does for these is done here in one statement each: the activity rows
        with their stored computed fields (model, document name, time zone), the leaders as followers, the
        leaders' activity counters told (the notification e-mail is off in the cron, as `mail_activity_quick_update`)."""
        if not vals_list:
            return
        users = self.env["res.users"].sudo().browse({vals["user_id"] for vals in vals_list})
        self._sla_add_followers({(vals["res_id"], vals["user_id"]) for vals in vals_list}, users)
        names = dict(zip(self.ids, self.mapped("display_name"), strict=True))  # the cron's language, as the ORM
        tz = {user.id: user.tz for user in users}
        columns = list(vals_list[0])  # plain column values (`_sla_activity_vals`)
        now, uid = self.env.cr.now(), self.env.uid
        rows = [
            SQL(
                "(%s, %s, %s, %s, false, true, %s, %s, %s, %s)",
                SQL(", ").join(vals[column] for column in columns),
                self._name,
                names[vals["res_id"]],
                tz[vals["user_id"]],
                uid,
                now,
                uid,
                now,
            )
            for vals in vals_list
        ]
        self.env.cr.execute(
            SQL(
                "INSERT INTO mail_activity (%s, res_model, res_name, user_tz, automated, active,"
                " create_uid, create_date, write_uid, write_date) VALUES %s",
                SQL(", ").join(SQL.identifier(column) for column in columns),
                SQL(", ").join(rows),
            )
        )
        self.env["mail.activity"].invalidate_model()
        for user, count in Counter(vals["user_id"] for vals in vals_list).items():
            users.browse(user)._bus_send("mail.activity/updated", {"activity_created": True, "count_diff": count})

    def _sla_add_followers(self, record_user_pairs, users):
        """Each (record id, user id) pair: the user's partner follows the record with the default subtypes
        (external ones for a portal user), unless it does already."""
        default, _internal, external = self.env["mail.message.subtype"].default_subtypes(self._name)
        partner_of = {user.id: user.partner_id for user in users}
        subtypes = [
            (partner.id, subtype.id)
            for partner in users.partner_id
            for subtype in (external if partner.partner_share else default)
        ]
        records, partners = zip(*((r, partner_of[u].id) for r, u in sorted(record_user_pairs)), strict=True)
        self.env.cr.execute(
            SQL(
                """WITH new AS (
                        INSERT INTO mail_followers (res_model, res_id, partner_id)
                        SELECT %s, pair.res_id, pair.partner_id
                          FROM unnest(%s::int[], %s::int[]) AS pair(res_id, partner_id)
                            ON CONFLICT (res_model, res_id, partner_id) DO NOTHING
                     RETURNING id, partner_id)
                   INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
                   SELECT new.id, subtype.subtype_id
                     FROM new JOIN unnest(%s::int[], %s::int[]) AS subtype(partner_id, subtype_id)
                          ON subtype.partner_id = new.partner_id""",
                self._name,
                list(records),
                list(partners),
                [partner_id for partner_id, _subtype_id in subtypes],
                [subtype_id for _partner_id, subtype_id in subtypes],
            )
        )
        self.env["mail.followers"].invalidate_model()

    def _sla_escalation_summaries(self, target):
        """The activities' titles, in the language of these records' environment (their leader's)."""
        labels = dict(self._fields[f"sla_{target}_status"]._description_selection(self.env))
        target_label = self._sla_target_label(target)
        return [
            self.env._(
                "SLA %(target)s %(status)s: %(record)s",
                target=target_label,
                status=labels[record[f"sla_{target}_status"]].lower(),
                record=record.display_name,
            )
            for record in self
        ]

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
