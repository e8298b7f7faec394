import bisect
import math
from collections import defaultdict, namedtuple
from datetime import timedelta

from pytz import utc

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from .claim_bounds_mixin import AMOUNT, SEQUENCE

# Stable defaults (README): with no matching rule the targets are 24 h / 72 h / 48 h in calendar hours.
DEFAULT_HOURS = {"first_contact": 24.0, "completion": 72.0, "resolution": 48.0}
DEFAULT_AT_RISK_RATIO = 0.8
# What the cached matching of rules reads: a write of one of these clears the cache.
CRITERIA_FIELDS = {
    "active", "company_id", "sequence", "category_ids", "amount_min", "amount_max", "partner_category_ids", "team_ids",
}
RuleCriteria = namedtuple(
    "RuleCriteria", "id company_id category_ids amount_min amount_max partner_category_ids team_ids"
)


class ClaimSlaRule(models.Model):
    _name = "claim.sla.rule"
    _inherit = ["claim.bounds.mixin"]
    _description = "Claim Callback SLA Rule"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Breaks ties between equally specific rules: lower first.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    # Which claims the rule applies to: an empty criterion matches every claim.
    category_ids = fields.Many2many("claim.category", string="Claim Categories")
    amount_min = fields.Float(string="Claimed Amount From", help="0: no lower bound.")
    amount_max = fields.Float(string="Claimed Amount To", help="0: no upper bound.")
    partner_category_ids = fields.Many2many(
        "res.partner.category", string="Customer Tags / Tier", help="The customer has at least one of these tags."
    )
    team_ids = fields.Many2many("helpdesk.ticket.team", string="Teams", check_company=True)
    # Targets
    first_contact_hours = fields.Float(default=24.0, required=True)
    completion_hours = fields.Float(default=72.0, required=True)
    resolution_hours = fields.Float(
        string="Feedback Issue Resolution Hours", default=48.0, required=True
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        check_company=True,
        help="Count the targets in this calendar's working hours, without its public holidays "
        "(global leaves), in its time zone. Empty: calendar hours, around the clock.",
    )
    at_risk_ratio = fields.Float(
        string="At-Risk Share", default=DEFAULT_AT_RISK_RATIO, required=True,
        help="Share of a target's time after which it is at risk (0.8 = 80 %).",
    )
    # Escalation
    escalation_trigger = fields.Selection(
        [("at_risk", "At Risk"), ("breached", "Breached")],
        default="breached",
        required=True,
        help="The status that escalates a target, once per callback and target.",
    )
    escalation_activity = fields.Boolean(
        string="Activity for the Team Leader", default=True
    )
    escalation_mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        domain=[("model", "=", "claim.callback")],
        help="Sent on escalation of a callback.",
    )
    escalation_reassign = fields.Selection(
        [("none", "Keep the Agent"), ("supervisor", "Team Leader"), ("least_loaded", "Least-Loaded Agent")],
        string="Reassign To",
        default="none",
        required=True,
    )
    escalation_raise_priority = fields.Boolean(string="Raise Priority")
    specificity = fields.Integer(compute="_compute_specificity", help="How many criteria the rule sets.")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
            "amount_min": AMOUNT,
            "amount_max": AMOUNT,
            "first_contact_hours": (0, 8_760),
            "completion_hours": (0, 8_760),
            "resolution_hours": (0, 8_760),
            "at_risk_ratio": (0, 1),
        }

    @api.depends("category_ids", "amount_min", "amount_max", "partner_category_ids", "team_ids")
    def _compute_specificity(self):
        for rule in self:
            rule.specificity = rule._get_specificity()

    @api.constrains("first_contact_hours", "completion_hours", "resolution_hours")
    def _check_hours(self):
        for rule in self:
            if min(rule.first_contact_hours, rule.completion_hours, rule.resolution_hours) <= 0:
                raise ValidationError(
                    self.env._("SLA rule %(rule)s: every target needs a positive number of hours.", rule=rule.name)
                )

    @api.constrains("at_risk_ratio")
    def _check_at_risk_ratio(self):
        for rule in self:
            if not 0 < rule.at_risk_ratio < 1:
                raise ValidationError(
                    self.env._(
                        "SLA rule %(rule)s: the at-risk share must be between 0 and 1 (exclusive), "
                        "for example 0.8 for 80 %%.",
                        rule=rule.name,
                    )
                )

    @api.constrains("amount_min", "amount_max")
    def _check_amounts(self):
        for rule in self:
            if rule.amount_min < 0 or rule.amount_max < 0:
                raise ValidationError(self.env._("SLA rule %(rule)s: amounts cannot be negative.", rule=rule.name))
            if rule.amount_max and rule.amount_min > rule.amount_max:
                raise ValidationError(
                    self.env._(
                        "SLA rule %(rule)s: the amount range starts (%(min)s) above its end (%(max)s).",
                        rule=rule.name,
                        min=rule.amount_min,
                        max=rule.amount_max,
                    )
                )

    @api.constrains("resource_calendar_id")
    def _check_calendar(self):
        for rule in self.filtered("resource_calendar_id"):
            calendar = rule.resource_calendar_id
            if calendar.flexible_hours or not any(
                a.hour_to > a.hour_from for a in calendar.attendance_ids if a.display_type != "line_section"
            ):
                raise ValidationError(
                    self.env._(
                        "SLA rule %(rule)s: the calendar %(calendar)s has no fixed working hours "
                        "to count the targets in.",
                        rule=rule.name,
                        calendar=calendar.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _get_specificity(self):
        self.ensure_one()
        return sum(
            bool(criterion)
            for criterion in (
                self.category_ids,
                self.amount_min or self.amount_max,
                self.partner_category_ids,
                self.team_ids,
            )
        )

    def _get_criteria(self):
        """What the rule's matching reads, as plain values (they are cached per registry)."""
        self.ensure_one()
        return RuleCriteria(
            self.id,
            self.company_id.id,
            frozenset(self.category_ids.ids),
            self.amount_min,
            self.amount_max,
            frozenset(self.partner_category_ids.ids),
            frozenset(self.team_ids.ids),
        )

    @staticmethod
    def _criteria_match(criteria, ticket, partner_tags):
        """`partner_tags`: the ids of the customer's tags."""
        amount = ticket.claim_amount
        return (
            criteria.company_id == ticket.company_id.id
            and (not criteria.category_ids or ticket.claim_category_id.id in criteria.category_ids)
            and (not criteria.amount_min or amount >= criteria.amount_min)
            and (not criteria.amount_max or amount <= criteria.amount_max)
            and (not criteria.partner_category_ids
                 or not criteria.partner_category_ids.isdisjoint(partner_tags))
            and (not criteria.team_ids or ticket.team_id.id in criteria.team_ids)
        )

    def _matches(self, ticket):
        """Does this rule apply to the claim? Pure Python on prefetched data."""
        self.ensure_one()
        return self._criteria_match(self._get_criteria(), ticket, ticket.partner_id.category_id.ids)

    @api.model
    @tools.ormcache("company_ids")
    def _get_ranked_criteria(self, company_ids):
        """The active rules' criteria, most specific first, then by sequence; cached per registry
        (cleared when rules change), so that matching a batch reads no rule."""
        # sudo: the same rules apply whoever triggers the matching
        rules = self.sudo().search([("company_id", "in", list(company_ids))])
        return tuple(r._get_criteria() for r in sorted(rules, key=lambda r: (-r._get_specificity(), r.sequence, r.id)))

    @api.model
    def _match_tickets(self, tickets):
        """{ticket id: rule or empty} for a batch of claims, without a query per claim
        (the rules' criteria are cached). The most specific rule wins, then the sequence."""
        ranked = self._get_ranked_criteria(tuple(sorted(tickets.company_id.ids)))
        tags = defaultdict(set)  # {customer id: tag ids}, in one query when a rule needs them
        if any(criteria.partner_category_ids for criteria in ranked):
            # archived customers keep their tags
            for tag, partner_ids in self.env["res.partner"].with_context(active_test=False)._read_group(
                [("id", "in", tickets.partner_id.ids), ("category_id", "!=", False)], ["category_id"], ["id:array_agg"]
            ):
                for partner_id in partner_ids:
                    tags[partner_id].add(tag.id)
        return {
            ticket.id: self.browse(
                next((c.id for c in ranked if self._criteria_match(c, ticket, tags[ticket.partner_id.id])), ())
            )
            for ticket in tickets
        }

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()
        return super().create(vals_list)

    def write(self, vals):
        if CRITERIA_FIELDS & vals.keys():
            self.env.registry.clear_cache()
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()
        return super().unlink()

    # ------------------------------------------------------------------
    # Deadlines
    # ------------------------------------------------------------------

    def _get_target_hours(self, target):
        """Hours of a target ("first_contact", "completion", "resolution"); the stable defaults without a rule."""
        return self[f"{target}_hours"] if self else DEFAULT_HOURS[target]

    def _get_at_risk_ratio(self):
        return self.at_risk_ratio if self else DEFAULT_AT_RISK_RATIO

    def _plan(self, starts_hours):
        """Deadlines for a list of (start, hours), naive UTC, on this rule's clock."""
        return self._plan_on(self.resource_calendar_id, starts_hours)

    @api.model
    def _plan_on(self, calendar, starts_hours):
        """Deadlines for a list of (start, hours), naive UTC, on `calendar` (empty: calendar hours).

        On a calendar, the working intervals of the whole batch are read once
        (attendances minus global leaves, in the calendar's time zone) and walked
        in Python, which is what `plan_hours(..., compute_leaves=True)` does per date.
        """
        if not calendar:
            return [start + timedelta(hours=hours) for start, hours in starts_hours]
        if not starts_hours:
            return []
        max_hours = max(hours for _start, hours in starts_hours)
        span_days = math.ceil(max_hours / max(calendar.hours_per_day or 8, 1) * 7 / 5) + 21
        begin = min(start for start, _hours in starts_hours).replace(tzinfo=utc)
        end = max(start for start, _hours in starts_hours).replace(tzinfo=utc) + timedelta(days=span_days)
        intervals = [(a, b) for a, b, _meta in calendar._work_intervals_batch(begin, end, compute_leaves=True)[False]]
        stops = [b for _a, b in intervals]
        return [
            self._walk(intervals, stops, start.replace(tzinfo=utc), hours)
            or calendar.plan_hours(hours, start.replace(tzinfo=utc), compute_leaves=True).replace(tzinfo=None)
            for start, hours in starts_hours
        ]

    @staticmethod
    def _walk(intervals, stops, start, hours):
        """Add `hours` of work to `start` along sorted intervals; None past their end."""
        remaining = timedelta(hours=hours)
        for index in range(bisect.bisect_right(stops, start), len(intervals)):
            begin, stop = intervals[index]
            begin = max(begin, start)
            if remaining <= stop - begin:
                return (begin + remaining).astimezone(utc).replace(tzinfo=None)
            remaining -= stop - begin
        return None

    def _work_hours_between(self, start, end):
        """Hours of this rule's clock between two naive UTC datetimes (0 if end <= start)."""
        if end <= start:
            return 0.0
        calendar = self.resource_calendar_id
        if not calendar:
            return (end - start).total_seconds() / 3600
        return calendar.get_work_hours_count(start.replace(tzinfo=utc), end.replace(tzinfo=utc), compute_leaves=True)

    def _plan_targets(self, starts, targets):
        """[{target: (deadline, at-risk date)}] for each start, on this rule's clock (or the default)."""
        return self._plan_targets_by_rule({self: starts}, targets)[self]

    @api.model
    def _plan_targets_by_rule(self, starts_by_rule, targets):
        """{rule: [{target: (deadline, at-risk date)}] for each of its starts}: the rules
        counting in one calendar share one reading of its working intervals."""
        pairs_by_calendar = defaultdict(list)
        for rule, starts in starts_by_rule.items():
            ratio = rule._get_at_risk_ratio()
            for start in starts:
                for target in targets:
                    hours = rule._get_target_hours(target)
                    pairs_by_calendar[rule.resource_calendar_id] += [(start, hours), (start, hours * ratio)]
        dates = {calendar: iter(self._plan_on(calendar, pairs)) for calendar, pairs in pairs_by_calendar.items()}
        return {
            rule: [
                {target: (next(dates[rule.resource_calendar_id]), next(dates[rule.resource_calendar_id]))
                 for target in targets}
                for _start in starts
            ]
            for rule, starts in starts_by_rule.items()
        }

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_preview(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Test this rule"),
            "res_model": "claim.sla.rule.preview",
            "view_mode": "form",
            "target": "new",
            "context": {"default_rule_id": self.id},
        }
