import importlib.util
import sys
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..lib.best_time import K_CELL, K_DAY, Profile
from .common import SUPERVISOR, CallbackCase

BENCH = Path(__file__).resolve().parents[1] / "bench"
# Taipei is UTC+8: local 19:00 = 11:00 UTC. Week of Monday 2 November 2026.
MONDAY = datetime(2026, 11, 2)


def utc(day, hour):
    """Naive UTC of Taipei local time `hour` on the `day`-th day (0 = Monday 2 November 2026)."""
    return MONDAY + timedelta(days=day, hours=hour - 8)


class BestTimeCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.evening = cls.env["res.partner"].create({"name": "Lin Evening", "phone": "+886912000001", "tz": "Asia/Taipei"})

    def _callback(self, partner, company=None):
        company = company or self.company
        vals = {"partner_id": partner.id}
        if company != self.company:
            vals.update(company_id=company.id, team_id=False)
        ticket = self._claim(stage_id=self.stage_done.id, **vals)
        return self.env["claim.callback"].create(
            {"ticket_id": ticket.id, "partner_id": partner.id, "company_id": company.id}
        )

    def _call(self, callback, when, outcome, **kwargs):
        with freeze_time(when):
            return callback._register_attempt("phone", outcome, **kwargs)

    def _evening_history(self, partner, company=None):
        """Last week: answered at 19:00 on Monday to Wednesday, never at 10:00 or 12:00."""
        past = self._callback(partner, company)
        for day in range(3):
            self._call(past, utc(day - 7, 10), "no_answer")
            self._call(past, utc(day - 7, 12), "busy")
            self._call(past, utc(day - 7, 19), "reached")
        past.sudo().write({"state": "cancelled", "next_attempt_date": False})
        return past


class TestBestTime(BestTimeCase):
    def test_next_try_goes_to_the_learned_hour(self):
        self._evening_history(self.evening)
        callback = self._callback(self.evening)
        self._call(callback, utc(3, 10), "no_answer")  # Thursday 10:00 local
        # the interval says 12:00; the customer answers at 19:00
        self.assertEqual(callback.next_attempt_date, utc(3, 19))
        self.assertIn("19:00", callback.best_time_reason)
        self.assertIn("3 of 10 in all", callback.best_time_reason)

    def test_the_customers_chosen_time_wins(self):
        self._evening_history(self.evening)
        callback = self._callback(self.evening)
        chosen = utc(4, 11)
        self._call(callback, utc(3, 10), "call_back_later", callback_at=chosen)
        self.assertEqual(callback.next_attempt_date, chosen)

    def test_a_customer_without_history_keeps_the_fixed_interval(self):
        fresh = self.env["res.partner"].create({"name": "New Customer", "phone": "+886912000002", "tz": "Asia/Taipei"})
        self._evening_history(self.evening)  # the company has learned evenings; this customer has no history
        callback = self._callback(fresh)
        self._call(callback, utc(3, 10), "no_answer")
        self.assertEqual(callback.next_attempt_date, utc(3, 12))
        self.assertIn("Fixed retry interval", callback.best_time_reason)

    def test_learning_switched_off_keeps_the_fixed_interval(self):
        self._evening_history(self.evening)
        self.company.callback_learn_best_time = False
        callback = self._callback(self.evening)
        self._call(callback, utc(3, 10), "no_answer")
        self.assertEqual(callback.next_attempt_date, utc(3, 12))

    def test_few_calls_are_shrunk_toward_the_segment_and_company(self):
        company = {h: (100, 20) for h in range(168)}  # the company reaches 20 % at every hour
        one = Profile({19: (1, 1)}, {}, company)
        many = Profile({19: (30, 30)}, {}, company)
        nothing = Profile({}, {}, company)
        self.assertAlmostEqual(nothing.chance(19), nothing.levels(19)[1])
        self.assertLess(nothing.chance(19), 0.21)
        # one answer in one try: well above the company's 20 %, far from certain
        p_day = (1 + K_DAY * one.levels(19)[1]) / (1 + K_DAY)
        self.assertAlmostEqual(one.chance(19), (1 + K_CELL * p_day) / (1 + K_CELL))
        self.assertTrue(0.4 < one.chance(19) < 0.7)
        self.assertGreater(many.chance(19), 0.95)
        # an answer on Monday 19:00 speaks for Tuesday 19:00 (weekdays pooled), less than for itself
        self.assertTrue(nothing.chance(24 + 19) < one.chance(24 + 19) < one.chance(19))

    def test_counts_stay_in_their_company(self):
        self._evening_history(self.evening)
        callback_b = self._callback(self.evening, self.company_b)
        self._call(callback_b, utc(3, 10), "no_answer")
        self.assertEqual(callback_b.next_attempt_date, utc(3, 12), "company B has no history of this customer")
        self.assertEqual(self.evening.with_company(self.company_b).callback_usual_answer_time,
                         "Not enough phone calls yet (1).")
        self.assertIn("19:00", self.evening.with_company(self.company).callback_usual_answer_time)
        supervisor_b = self._user("icc_best_sup_b", SUPERVISOR, company_id=self.company_b.id,
                                  company_ids=[(6, 0, self.company_b.ids)])
        rows = self.env["claim.callback.reach"].with_user(supervisor_b).search([])
        self.assertEqual(rows.company_id, self.company_b)

    def test_usual_answer_time_on_the_customer(self):
        self._evening_history(self.evening)
        text = self.evening.with_user(self.agent_1).callback_usual_answer_time
        self.assertRegex(text, r"^usually answers: weekdays 19:00–20:00 \(\d+ %\)$")

    def test_fallback_comes_earlier_when_messages_answer_and_the_phone_does_not(self):
        past = self._callback(self.evening)
        for day in range(4):
            self._call(past, utc(day - 7, 19), "no_answer")
        # the customer answered the questionnaire link of that callback
        past.sudo().write({"state": "done", "fallback_sent_date": utc(-2, 10), "completed_date": utc(-2, 12),
                           "next_attempt_date": False})
        callback = self._callback(self.evening)
        self._call(callback, utc(3, 10), "no_answer")
        self.assertFalse(callback.next_attempt_date)
        self.assertTrue(callback.fallback_date)

    def test_call_now_puts_the_likely_answer_first_among_equally_urgent(self):
        self._evening_history(self.evening)
        other = self.env["res.partner"].create({"name": "Lin Morning", "phone": "+886912000003", "tz": "Asia/Taipei"})
        unlikely, likely = self._callback(other), self._callback(self.evening)
        due = utc(3, 21)
        (unlikely | likely).sudo().write({"user_id": self.agent_1.id, "next_due_date": due, "priority": "1"})
        with freeze_time(utc(3, 19) + timedelta(minutes=5)):
            (unlikely | likely)._refresh_answer_chance()
            self.assertGreater(likely.answer_chance_now, unlikely.answer_chance_now)
            found = self.env["claim.callback"].with_user(self.agent_1)._next_in_queue()
        self.assertEqual(found, likely)

    def test_rebuild_matches_the_increments_in_constant_queries(self):
        Reach = self.env["claim.callback.reach"]
        self._evening_history(self.evening)
        self.env.flush_all()
        before = sorted(Reach.search([]).mapped(lambda r: (r.partner_id.id, r.category_id.id, r.hour_of_week,
                                                           r.tries, r.answers)))
        queries = self.env.cr.sql_log_count
        Reach._recompute(self.company)
        small = self.env.cr.sql_log_count - queries
        after = sorted(Reach.search([]).mapped(lambda r: (r.partner_id.id, r.category_id.id, r.hour_of_week,
                                                          r.tries, r.answers)))
        self.assertEqual(after, before)
        self._evening_history(self.evening)
        self._evening_history(self.evening)
        self.env.flush_all()
        queries = self.env.cr.sql_log_count
        Reach._recompute(self.company)
        self.assertEqual(self.env.cr.sql_log_count - queries, small, "the rebuild reads attempts in one query")

    def test_crons_rebuild_the_counts_and_refresh_the_chances(self):
        self._evening_history(self.evening)
        callback = self._callback(self.evening)
        self.env.flush_all()
        Reach = self.env["claim.callback.reach"]
        counts = sorted(Reach.search([]).mapped(lambda r: (r.partner_id.id, r.hour_of_week, r.tries, r.answers)))
        self.env.cr.execute("DELETE FROM claim_callback_reach")
        Reach.invalidate_model()
        # the crons' own methods, their progress commits left out (a test cannot commit)
        with freeze_time(utc(3, 19)), patch.object(type(self.env["ir.cron"]), "_commit_progress"):
            for _run in range(2):  # idempotent
                Reach._cron_recompute()
                self.env["claim.callback"]._cron_refresh_answer_chance()
                self.assertEqual(
                    sorted(Reach.search([]).mapped(lambda r: (r.partner_id.id, r.hour_of_week, r.tries, r.answers))),
                    counts,
                )
        self.assertGreater(callback.answer_chance_now, 50, "Thursday 19:00: this customer answers evenings")

    def test_a_call_counted_at_the_same_moment_by_a_colleague_does_not_fail_the_agents_call(self):
        """Every call of an hour adds to the company's row: a colleague's call committed while this one was being
        logged made it fail with a serialization error, retried whole (1-2 s to the agent under load)."""
        callback = self._callback(self.evening)
        when = utc(3, 10)
        how = 3 * 24 + 10  # Thursday 10:00 in Taipei
        Reach = self.env["claim.callback.reach"]
        self.env.flush_all()
        self.assertFalse(Reach.search([("company_id", "=", self.company.id), ("partner_id", "=", False),
                                       ("hour_of_week", "=", how)]))
        with self.registry.cursor() as colleague:  # committed after this transaction's snapshot
            colleague.execute(
                "INSERT INTO claim_callback_reach (company_id, hour_of_week, tries, answers) VALUES (%s, %s, 1, 0)",
                [self.company.id, how],
            )
        try:
            self._call(callback, when, "no_answer")
            mine = Reach.search([("partner_id", "=", self.evening.id), ("hour_of_week", "=", how)])
            self.assertEqual((mine.tries, mine.answers), (1, 0), "the customer's own count is kept")
            self.assertEqual(callback.attempt_count, 1)
        finally:
            with self.registry.cursor() as colleague:
                colleague.execute("DELETE FROM claim_callback_reach WHERE company_id = %s AND partner_id IS NULL"
                                  " AND category_id IS NULL AND hour_of_week = %s", [self.company.id, how])

    def test_logging_a_call_costs_the_same_queries_whatever_the_history(self):
        def cost():
            callback = self._callback(self.evening)
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time(utc(3, 10)):
                queries = self.env.cr.sql_log_count
                callback._register_attempt("phone", "no_answer")
                self.env.flush_all()
                return self.env.cr.sql_log_count - queries

        self._evening_history(self.evening)
        short = cost()
        for _i in range(3):
            self._evening_history(self.evening)
        self.assertEqual(cost(), short)


@tagged("post_install", "-at_install")
class TestBestTimeBench(CallbackCase):
    def test_bench_runs_both_arms_on_the_real_code(self):
        if not BENCH.is_dir():
            self.skipTest("bench/ is not shipped in the wheel")
        sys.path.insert(0, str(BENCH))
        try:
            spec = importlib.util.spec_from_file_location("bench_best_time", BENCH / "bench_best_time.py")
            bench = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(bench)
        finally:
            sys.path.remove(str(BENCH))
        patterns = bench.setup(self.env, 12, seed=3)
        bench.history(self.env, patterns, 1, seed=3)
        attempts = self.env["claim.callback.attempt"].search_count([])
        figures = bench.run_arms(self.env, patterns, 1, seed=3)
        self.assertEqual(self.env["claim.callback.attempt"].search_count([]), attempts, "each arm is rolled back")
        for arm in ("fixed", "learned"):
            self.assertTrue(0 <= figures[arm]["all"]["reached_72h"] <= 1)
        self.assertTrue(self.env["claim.callback.reach"].search_count([("partner_id", "in", list(patterns))]))
