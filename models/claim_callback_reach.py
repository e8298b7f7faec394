"""Phone tries and answers per hour of the week: the learner of the best time to call (lib/best_time.py).

One row per (company, scope, hour of the week in the customer's local time). Scope: a customer
(partner_id set), a segment (category_id set: the customer's first tag, lowest id) or the whole
company (neither). Rows grow as attempts are logged (one upsert per batch) and are rebuilt from
the attempts by a daily cron (a customer's new time zone or tag, a deleted attempt).
"""

import logging
from collections import Counter

import pytz

from odoo import api, fields, models
from odoo.tools import SQL, mute_logger

from ..lib.best_time import Profile, hour_of_week
from .batch import CONCURRENT_ERRORS

_logger = logging.getLogger(__name__)

ANSWERED_OUTCOMES = ("reached", "call_back_later")
FETCH_ROWS = 10_000


def _count(rows, company_id, partner_id, segment_id, how, answered):
    """One try at hour `how`, counted for the customer, their segment (if any) and the company."""
    scopes = [(partner_id, False), (False, False)] + ([(False, segment_id)] if segment_id else [])
    for scope in scopes:
        rows[(company_id, *scope, how, "t")] += 1
        rows[(company_id, *scope, how, "a")] += int(answered)


class ClaimCallbackReach(models.Model):
    _name = "claim.callback.reach"
    _description = "Callback Reach by Hour of the Week"
    _order = "company_id, partner_id, category_id, hour_of_week"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True, ondelete="cascade")
    category_id = fields.Many2one("res.partner.category", string="Segment", readonly=True, ondelete="cascade")
    hour_of_week = fields.Integer(readonly=True, help="0 = Monday 00:00 in the customer's local time, 167 = Sunday 23:00.")
    tries = fields.Integer(readonly=True)
    answers = fields.Integer(readonly=True, help="Reached or call back later.")

    _scope_hour_uniq = models.UniqueIndex(
        "(company_id, COALESCE(partner_id, 0), COALESCE(category_id, 0), hour_of_week)"
    )
    _partner_idx = models.Index("(partner_id, company_id) WHERE partner_id IS NOT NULL")
    _hour_check = models.Constraint("CHECK(hour_of_week >= 0 AND hour_of_week < 168)", "An hour of the week is 0-167.")
    _counts_check = models.Constraint("CHECK(answers >= 0 AND answers <= tries)", "Answers cannot exceed tries.")

    # ------------------------------------------------------------------
    # Learning: counts from attempts, set-based
    # ------------------------------------------------------------------

    @api.model
    def _add_attempts(self, attempts):
        """Count a batch of new attempts (phone only): one read of the customers' tags, one upsert."""
        # sudo: counting is the system's; the agent logging a call may not read the customer's tags
        phone = attempts.sudo().filtered(lambda a: a.channel == "phone" and a.callback_id.partner_id)
        rows = Counter()
        for attempt in phone:
            callback = attempt.callback_id
            _count(rows, callback.company_id.id, callback.partner_id.id, min(callback.partner_id.category_id.ids, default=False),
                   hour_of_week(callback._to_customer_time(attempt.date)), attempt.outcome in ANSWERED_OUTCOMES)
        self._upsert(Counter({key: n for key, n in rows.items() if key[1]}))
        # The segment's and the company's rows are every agent's calls of the hour: two calls logged at once
        # collide on them, and the later would be retried whole (0.5-2 s to the agent). A collision skips these
        # counts instead; the daily rebuild (_cron_recompute) counts them from the attempts.
        pooled = Counter({key: n for key, n in rows.items() if not key[1]})
        if not pooled:
            return
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self._upsert(pooled)
        except CONCURRENT_ERRORS:
            _logger.info("claim.callback.reach: a concurrent call counted at the same hour; left to the daily rebuild")

    @api.model
    def _upsert(self, rows, replace=False):
        keys = sorted({key[:4] for key in rows})
        if not keys:
            return
        columns = list(zip(*keys, strict=True))
        tries = [rows[(*key, "t")] for key in keys]
        answers = [rows[(*key, "a")] for key in keys]
        add = SQL("") if replace else SQL(
            "ON CONFLICT (company_id, COALESCE(partner_id, 0), COALESCE(category_id, 0), hour_of_week)"
            " DO UPDATE SET tries = r.tries + EXCLUDED.tries, answers = r.answers + EXCLUDED.answers"
        )
        self.env.cr.execute(SQL(
            """INSERT INTO claim_callback_reach AS r (company_id, partner_id, category_id, hour_of_week, tries, answers)
               SELECT * FROM unnest(%s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[]) %s""",
            list(columns[0]), [p or None for p in columns[1]], [c or None for c in columns[2]],
            list(columns[3]), tries, answers, add,
        ))
        self.invalidate_model()

    @api.model
    def _cron_recompute(self):
        """Rebuild every company's counts from its attempts (reads grouped rows, no loop of queries)."""
        for company in self.env["res.company"].search([("id", "in", self._companies_with_attempts())]):
            self._recompute(company)
            self.env["ir.cron"]._commit_progress(1)

    @api.model
    def _companies_with_attempts(self):
        self.env.cr.execute(SQL(
            "SELECT co.id FROM res_company co"
            " WHERE EXISTS (SELECT 1 FROM claim_callback_attempt a WHERE a.company_id = co.id)"
            "    OR EXISTS (SELECT 1 FROM claim_callback_reach r WHERE r.company_id = co.id)"
        ))
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _recompute(self, company):
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL(
            """SELECT c.partner_id, COALESCE(NULLIF(p.tz, ''), NULLIF(cp.tz, ''), 'UTC'),
                      (SELECT MIN(rel.category_id) FROM res_partner_res_partner_category_rel rel
                        WHERE rel.partner_id = c.partner_id),
                      a.date, a.outcome IN %s
                 FROM claim_callback_attempt a
                 JOIN claim_callback c ON c.id = a.callback_id
                 JOIN res_partner p ON p.id = c.partner_id
                 JOIN res_company co ON co.id = c.company_id
                 JOIN res_partner cp ON cp.id = co.partner_id
                WHERE c.company_id = %s AND a.channel = 'phone'""",
            ANSWERED_OUTCOMES, company.id,
        ))
        rows, zones = Counter(), {}
        while batch := cr.fetchmany(FETCH_ROWS):
            for partner_id, tz, segment, date, answered in batch:
                if tz not in zones:
                    try:
                        zones[tz] = pytz.timezone(tz)
                    except pytz.UnknownTimeZoneError:
                        zones[tz] = pytz.utc
                how = hour_of_week(pytz.utc.localize(date).astimezone(zones[tz]))
                _count(rows, company.id, partner_id, segment or False, how, answered)
        cr.execute(SQL("DELETE FROM claim_callback_reach WHERE company_id = %s", company.id))
        self._upsert(rows, replace=True)

    # ------------------------------------------------------------------
    # Reading: one profile per (company, customer)
    # ------------------------------------------------------------------

    @api.model
    def _profiles(self, pairs):
        """{(company id, partner id): Profile} for [(company, partner)], in three reads whatever their number."""
        pairs = {(company.id, partner.id): partner for company, partner in pairs if partner}
        if not pairs:
            return {}
        # sudo: the counts are the company's, shown to its agents as chances, never as attempts
        Reach = self.sudo()
        company_ids = list({c for c, _p in pairs})
        segments = {key: min(partner.sudo().category_id.ids, default=False) for key, partner in pairs.items()}
        customer, segment, company = {}, {}, {}
        for row in Reach.search_fetch(
            [("company_id", "in", company_ids), ("partner_id", "in", list({p for _c, p in pairs}))],
            ["company_id", "partner_id", "hour_of_week", "tries", "answers"],
        ):
            customer.setdefault((row.company_id.id, row.partner_id.id), {})[row.hour_of_week] = (row.tries, row.answers)
        segment_ids = [s for s in set(segments.values()) if s]
        for row in Reach.search_fetch(
            [("company_id", "in", company_ids), ("partner_id", "=", False),
             "|", ("category_id", "=", False), ("category_id", "in", segment_ids)],
            ["company_id", "category_id", "hour_of_week", "tries", "answers"],
        ):
            target = segment.setdefault((row.company_id.id, row.category_id.id), {}) if row.category_id else \
                company.setdefault(row.company_id.id, {})
            target[row.hour_of_week] = (row.tries, row.answers)
        return {
            (cid, pid): Profile(customer.get((cid, pid), {}), segment.get((cid, segments[cid, pid]), {}),
                                company.get(cid, {}))
            for cid, pid in pairs
        }
