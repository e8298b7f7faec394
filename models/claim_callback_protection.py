"""Integrity: a callback's outcome, SLA, attempts and assignment change only through its
service methods (README: Security and privacy).

Users write a callback's own fields only through `register_attempt`, `register_result`
and the `action_*` methods, which check who may call them and what they are given, then
write as the system. A direct `write` / `create` by a user (the form, JSON-2, XML-RPC)
may touch only the chatter and activities, and for supervisors the assignment.
"""

import contextlib
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from .claim_callback import AGENT_GROUP, SUPERVISOR_GROUP

# What supervisors may change directly: reassignment, rescheduling, correcting the topics.
SUPERVISOR_FIELDS = frozenset({"user_id", "team_id", "priority", "topic_ids"})
# What a supervisor gives when creating a callback by hand; everything else is the system's.
CREATE_FIELDS = SUPERVISOR_FIELDS | {"ticket_id", "partner_id", "company_id"}
# Caps at the boundary of every service method and route.
MAX_TEXT = 10_000  # characters of a feedback, suggestion, answer, note or problem raised
MAX_DURATION = 86_400  # seconds of one attempt


def _is_mail_field(name):
    return name.startswith(("message_", "activity_")) or name in ("website_message_ids", "rating_ids")


class ClaimCallback(models.Model):
    _name = "claim.callback"
    _inherit = ["claim.callback", "claim.protected.mixin"]

    can_work = fields.Boolean(
        compute="_compute_can_work", help="You may log its calls and record its outcome (yours, or your team's)."
    )
    can_open_ticket = fields.Boolean(
        compute="_compute_can_open_ticket", help="You may open its claim (the callback shows its figures to all)."
    )

    @api.depends_context("uid")
    def _compute_can_work(self):
        workable = self._origin._filtered_access("write")
        for callback in self:
            callback.can_work = callback._origin in workable

    @api.depends_context("uid")
    def _compute_can_open_ticket(self):
        # the claim's own form is for those who may change it: agents read it in the customer 360
        writable = self._origin.ticket_id._filtered_access("write")
        for callback in self:
            callback.can_open_ticket = callback._origin.ticket_id in writable

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            if not self.env.user.has_group(SUPERVISOR_GROUP):
                raise AccessError(self.env._("Callbacks are scheduled by the system or created by supervisors."))
            for vals in vals_list:
                self._check_user_fields(set(vals) - CREATE_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_user_fields(set(vals) - SUPERVISOR_FIELDS)
            if set(vals) & SUPERVISOR_FIELDS and not self.env.user.has_group(SUPERVISOR_GROUP):
                raise AccessError(self.env._("Only callback supervisors reassign or reschedule callbacks."))
        return super().write(vals)

    def copy(self, default=None):
        if not self.env.su:
            raise AccessError(self.env._("A callback cannot be duplicated: the scheduler creates them."))
        return super().copy(default)

    def _check_company(self, fnames=None):
        if fnames is None or {"user_id", "company_id"} & set(fnames):
            self._check_agent_company()
        return super()._check_company(fnames)

    def _check_agent_company(self):
        """A user assigns callback agents of the callback's company only (the system picks
        them from the team's members of that company, or the leader an escalation names)."""
        if self.env.su:
            return
        agent_group = self.env.ref(AGENT_GROUP)
        for callback in self.filtered("user_id"):
            user = callback.user_id.sudo()  # sudo: a supervisor may not read another user's companies and groups
            if user.share or callback.company_id not in user.company_ids or agent_group not in user.all_group_ids:
                raise ValidationError(
                    self.env._(
                        "%(user)s cannot take the callbacks of %(company)s: choose a callback agent of that company.",
                        user=user.name,
                        company=callback.company_id.name,
                    )
                )

    @api.model
    def _protected_fields(self):
        return super()._protected_fields() | {
            name for name in self._fields if name not in CREATE_FIELDS and not _is_mail_field(name)
        }

    def _check_user_fields(self, names):
        protected = sorted(name for name in names if not _is_mail_field(name))
        if protected:
            labels = ", ".join(
                self._fields[name]._description_string(self.env) if name in self._fields else name
                for name in protected
            )
            raise AccessError(
                self.env._(
                    "%(fields)s of a callback change only through its actions (log an attempt, record the "
                    "outcome, start, cancel, reassign).",
                    fields=labels,
                )
            )

    def _as_service(self):
        """These callbacks, for a service method's own writes: the caller's write access
        is checked, then the method writes as the system; the chatter keeps its trace
        whatever the caller's context asks."""
        if self.env.su:
            return self
        self._check_can_work()
        return self.sudo().with_context(tracking_disable=False, mail_notrack=False)

    def _check_can_work(self):
        """Refuse, with the reason, the callbacks the user may read but not work (a colleague's)."""
        refused = self - self._filtered_access("write")
        if not refused:
            return
        refused.check_access("read")  # one the user may not even read: Odoo's own error, which names nothing
        callback = refused[0]
        raise AccessError(
            self.env._(
                "%(callback)s is assigned to %(owner)s: only its agent or a supervisor of its team can work on it.",
                callback=callback.display_name,
                owner=callback.user_id.name or callback.team_id.name or "-",
            )
        )

    def _check_supervisor(self, what):
        if not self.env.su and not self.env.user.has_group(SUPERVISOR_GROUP):
            raise AccessError(self.env._("Only callback supervisors can %(what)s.", what=what))

    def _check_one(self):
        """One callback: a service method's `ids` must name exactly one."""
        if len(self) != 1:
            raise ValidationError(self.env._("Give exactly one callback (got %(n)s).", n=len(self)))

    @api.model
    def _check_text(self, value, label, max_length=MAX_TEXT):
        """None, or a text of at most `max_length` characters."""
        if value in (None, False):
            return None
        if not isinstance(value, str):
            raise ValidationError(self.env._("%(label)s must be a text.", label=label))
        if "\x00" in value:
            raise ValidationError(self.env._("%(label)s contains a NUL character.", label=label))
        if len(value) > max_length:
            raise ValidationError(
                self.env._(
                    "%(label)s is %(length)s characters long; at most %(max)s are accepted.",
                    label=label,
                    length=len(value),
                    max=max_length,
                )
            )
        return value

    @api.model
    def _check_duration(self, duration):
        duration = duration or 0
        if isinstance(duration, bool) or not isinstance(duration, int) or not 0 <= duration <= MAX_DURATION:
            raise ValidationError(
                self.env._("The duration is a whole number of seconds between 0 and %(max)s.", max=MAX_DURATION)
            )
        return duration

    @api.model
    def _check_datetime(self, value, label):
        if value in (None, False):
            return None
        if isinstance(value, (str, date)):
            with contextlib.suppress(ValueError):  # not a date: the error below says what is expected
                return fields.Datetime.to_datetime(value)
        raise ValidationError(self.env._("%(label)s must be a date and time (YYYY-MM-DD HH:MM:SS).", label=label))
