"""The best time to call, learned per customer (lib/best_time.py, claim.callback.reach).

- The next phone try after a failed one goes to the customer's best hour inside the calling window,
  at or after the retry interval, within 72 h (a customer with fewer than 3 phone tries, or a company
  that switched learning off, keeps the fixed interval; a time the customer chose is written after
  this and wins).
- Channel rule: a customer the phone rarely reaches (at least 4 tries, answer rate below 25 %) who
  answered at least half of the questionnaire links sent to them (at least one) gets the fallback
  after this failed call instead of after the phone's maximum of attempts.
- Call Now: among callbacks due within the same hour and of the same priority, the customer most
  likely to answer now first (`answer_chance_now`, refreshed as attempts are logged and hourly).
"""

from collections import defaultdict

import pytz

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import babel_locale_parse

from ..lib.best_time import hour_of_week, window_candidates
from .batch import lock_batch
from .claim_callback import OPEN_STATES
from .claim_callback_contact import FAILED_PHONE_OUTCOMES

RETRY_OUTCOMES = (*FAILED_PHONE_OUTCOMES, "call_back_later")
PHONE_POOR_RATE = 0.25  # below this answer rate (Beta(1, 1) mean) the phone "rarely reaches" the customer
PHONE_POOR_MIN_TRIES = 4
MESSAGE_GOOD_SHARE = 0.5  # answered questionnaire links / links sent
REFRESH_CHUNK = 5000


class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    answer_chance_now = fields.Integer(
        string="Answer Chance Now (%)",
        readonly=True,
        copy=False,
        aggregator="avg",
        help="How likely the customer answers the phone at this hour of the week (learned from the company's "
        "calls, hourly). Call Now ranks the most likely first among callbacks due within the same hour.",
    )
    next_due_hour = fields.Datetime(
        compute="_compute_next_due_hour", help="The next deadline's hour: callbacks due within it are equally urgent."
    )
    best_time_reason = fields.Char(string="Why This Time", compute="_compute_best_time_reason")

    @api.depends("next_due_date")
    def _compute_next_due_hour(self):
        for callback in self:
            due = callback.next_due_date
            callback.next_due_hour = due and due.replace(minute=0, second=0)

    def _order_field_to_sql(self, alias, field_name, direction, nulls, query):
        if field_name == "next_due_hour":
            hour = SQL("date_trunc('hour', %s)", SQL.identifier(alias, "next_due_date"))
            return SQL("%s %s %s", hour, direction, nulls)
        return super()._order_field_to_sql(alias, field_name, direction, nulls, query)

    @api.depends("next_attempt_date", "partner_id", "state")
    @api.depends_context("lang")
    def _compute_best_time_reason(self):
        todo = self.filtered(lambda c: c.state in OPEN_STATES and c.partner_id and c.next_attempt_date)
        profiles = self.env["claim.callback.reach"]._profiles([(c.company_id, c.partner_id) for c in todo])
        days = babel_locale_parse(self.env.lang).days["format"]["abbreviated"]
        for callback in self:
            profile = profiles.get((callback.company_id.id, callback.partner_id.id))
            callback.best_time_reason = callback._best_time_text(profile, days) if callback in todo else False

    def _best_time_text(self, profile, days):
        if not profile.has_history:
            return self.env._("Fixed retry interval: fewer than 3 phone calls to learn from.")
        local = self._to_customer_time(self.next_attempt_date)
        how = hour_of_week(local)
        company, segment, _day, chance = profile.levels(how)
        tries, answers = profile.customer.get(how, (0, 0))
        return self.env._(
            "%(day)s %(hour)s: %(chance)s %% chance of an answer (this customer: %(answers)s answered of %(tries)s "
            "calls at this hour, %(all_answers)s of %(all_tries)s in all; segment %(segment)s %%, company "
            "%(company)s %%).",
            day=days[local.weekday()], hour=local.strftime("%H:00"), chance=round(100 * chance),
            answers=answers, tries=tries, all_answers=profile.answers, all_tries=profile.tries,
            segment=round(100 * segment), company=round(100 * company),
        )

    # ------------------------------------------------------------------
    # Planning after a batch of attempts
    # ------------------------------------------------------------------

    def _log_attempts(self, vals_list):
        attempts = super()._log_attempts(vals_list)
        phone = attempts.filtered(lambda a: a.channel == "phone" and a.callback_id.partner_id)
        callbacks = phone.callback_id
        if not callbacks:
            return attempts
        profiles = self.env["claim.callback.reach"]._profiles([(c.company_id, c.partner_id) for c in callbacks])
        learning = phone.filtered(
            lambda a: a.outcome in RETRY_OUTCOMES and a.callback_id.company_id.callback_learn_best_time
            and profiles[a.callback_id.company_id.id, a.callback_id.partner_id.id].has_history
        )
        if learning:
            early = self._fallback_earlier(learning, profiles)
            self._plan_best_retries(learning - early, profiles)
            self._plan_early_fallback(early)
        callbacks._refresh_answer_chance(profiles)
        return attempts

    @api.model
    def _plan_best_retries(self, attempts, profiles):
        """Move the next try of each failed phone attempt's callback to the customer's best hour."""
        moves = defaultdict(lambda: self.env["claim.callback"])
        settings = attempts.callback_id._get_channel_settings()  # one read for the batch
        for attempt in attempts:
            callback = attempt.callback_id
            if not callback.next_attempt_date or callback.state not in OPEN_STATES:
                continue  # exhausted: the fallback follows
            phone = settings[callback.company_id.id, "phone"]
            when = callback._best_retry_date(profiles[callback.company_id.id, callback.partner_id.id], phone)
            if when != callback.next_attempt_date:
                moves[when] |= callback
        for when, group in moves.items():
            group.write({"next_attempt_date": when})

    def _best_retry_date(self, profile, phone):
        """The best whole hour in the phone's calling window from the interval's next try on (naive UTC)."""
        self.ensure_one()
        tz_name = self._get_customer_tz()
        tz = pytz.timezone(tz_name)
        candidates = window_candidates(
            self.next_attempt_date,
            self._to_customer_time,
            lambda local: tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None),
            lambda utc: phone._in_window(utc, tz_name),
        )
        best = profile.best_slot(candidates)
        return best[1] if best else self.next_attempt_date

    @api.model
    def _fallback_earlier(self, attempts, profiles):
        """The attempts (failed phone calls) whose customers meet the channel rule (module docstring)."""
        poor = attempts.filtered(
            lambda a: not a.callback_id.fallback_date and not a.callback_id.fallback_sent_date
            and (p := profiles[a.callback_id.company_id.id, a.callback_id.partner_id.id]).tries >= PHONE_POOR_MIN_TRIES
            and (p.answers + 1) / (p.tries + 2) < PHONE_POOR_RATE
        )
        if not poor:
            return poor
        stats = defaultdict(lambda: [0, 0])  # (company, partner): [links sent, answered]
        for company, partner, state, count in self.env["claim.callback"].sudo()._read_group(
            [("partner_id", "in", poor.callback_id.partner_id.ids), ("company_id", "in", poor.callback_id.company_id.ids),
             ("fallback_sent_date", "!=", False)],
            ["company_id", "partner_id", "state"], ["__count"],
        ):
            stats[company.id, partner.id][0] += count
            stats[company.id, partner.id][1] += count if state == "done" else 0
        return poor.filtered(
            lambda a: (s := stats[a.callback_id.company_id.id, a.callback_id.partner_id.id])[1] >= 1
            and s[1] >= MESSAGE_GOOD_SHARE * s[0]
        )

    @api.model
    def _plan_early_fallback(self, attempts):
        """The callbacks of these failed phone attempts get the fallback now instead of more calls."""
        callbacks = attempts.callback_id.filtered(lambda c: c.state in OPEN_STATES)
        if not callbacks:
            return
        settings = callbacks._get_channel_settings()
        for attempt in attempts.filtered(lambda a: a.callback_id in callbacks):
            attempt.callback_id.write({
                "next_attempt_date": False,
                "fallback_date": attempt.callback_id._next_fallback_date(attempt.date, settings),
            })
        self.env.ref("insurance_claim_callback.ir_cron_send_fallback")._trigger(min(callbacks.mapped("fallback_date")))

    # ------------------------------------------------------------------
    # Call Now: the chance of an answer at this hour
    # ------------------------------------------------------------------

    def _refresh_answer_chance(self, profiles=None):
        callbacks = self.filtered(lambda c: c.state in OPEN_STATES and c.partner_id)
        if profiles is None:
            profiles = self.env["claim.callback.reach"]._profiles([(c.company_id, c.partner_id) for c in callbacks])
        now = fields.Datetime.now()
        changed = defaultdict(lambda: self.env["claim.callback"])
        for callback in callbacks:
            profile = profiles[callback.company_id.id, callback.partner_id.id]
            chance = round(100 * profile.chance(hour_of_week(callback._to_customer_time(now))))
            if chance != callback.answer_chance_now:
                changed[chance] |= callback
        for chance, group in changed.items():  # at most 101 writes, whatever the number of callbacks
            group.write({"answer_chance_now": chance})

    @api.model
    def _cron_refresh_answer_chance(self):
        callbacks = self.search([("state", "in", OPEN_STATES), ("partner_id", "!=", False)], order="id")
        for start in range(0, len(callbacks), REFRESH_CHUNK):
            # the rows no agent is writing: one being worked keeps its chance until the next run (waiting for it,
            # or writing it after the agent, failed the run and left the chunks after it for an hour)
            chunk = lock_batch(callbacks[start:start + REFRESH_CHUNK])
            chunk._refresh_answer_chance()
            self.env["ir.cron"]._commit_progress(len(chunk))
