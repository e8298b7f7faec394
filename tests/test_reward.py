from datetime import datetime
from unittest.mock import patch

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.insurance_claim_callback.models import claim_reward_entry

from .common import CallbackCase


class RewardCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["claim.reward.rule"]
        cls.Entry = cls.env["claim.reward.entry"]
        cls.feedback_rule = cls.Rule.create({"name": "Feedback", "event": "feedback_given", "points": 10})
        cls.survey_rule = cls.Rule.create(
            {"name": "Survey", "event": "survey_completed", "points": 20, "validity_months": 1}
        )

    def _callbacks(self, count=1, **vals):
        claims = self._closed_claims(count, **vals)
        self._schedule(claims)
        return claims.callback_ids

    def _entries(self, partner=None, **filters):
        domain = [("partner_id", "=", (partner or self.customer).id)]
        domain += [(k, "=", v) for k, v in filters.items()]
        return self.Entry.search(domain)

    def _adjust(self, points, partner=None, company=None):
        return self.Entry.create(
            {
                "kind": "adjust",
                "partner_id": (partner or self.customer).id,
                "company_id": (company or self.company).id,
                "points": points,
                "reason": "test",
            }
        )


@tagged("post_install", "-at_install")
class TestRewardEarning(RewardCase):
    def test_feedback_result_earns_the_feedback_rule_points(self):
        callback = self._callbacks()
        callback.with_user(self.agent_1).register_result(5, feedback="Quick payment, thanks")
        entry = self._entries(kind="earn")
        self.assertEqual((entry.points, entry.rule_id, entry.callback_id), (10, self.feedback_rule, callback))
        self.assertEqual(entry.company_id, callback.company_id)
        self.assertEqual(self.customer.reward_points, 10)

    def test_result_without_feedback_earns_nothing(self):
        self._callbacks().register_result(4, feedback="   ")
        self.assertFalse(self._entries())

    def test_same_event_delivered_twice_earns_once(self):
        callback = self._callbacks()
        first = self.Rule._reward_event("survey_completed", callback)
        again = self.Rule._reward_event("survey_completed", callback)
        self.assertEqual(len(first), 1)
        self.assertFalse(again)
        self.assertEqual(self.customer.reward_points, 20)

    def test_accepted_suggestion_earns_once_and_only_supervisors_accept(self):
        rule = self.Rule.create({"name": "Suggestion", "event": "suggestion_accepted", "points": 50})
        callback = self._callbacks()
        callback.user_id = self.agent_1
        callback.with_user(self.agent_1).register_result(5, suggestions="Text me when the payment leaves")
        with self.assertRaises(AccessError):
            callback.with_user(self.agent_1).action_accept_suggestion()
        callback.with_user(self.supervisor).action_accept_suggestion()
        callback.with_user(self.supervisor).action_accept_suggestion()
        self.assertTrue(callback.suggestion_accepted)
        self.assertEqual(self._entries(rule_id=rule.id).mapped("points"), [50])

    def test_no_suggestion_nothing_to_accept(self):
        callback = self._callbacks()
        callback.register_result(5)
        with self.assertRaises(UserError):
            callback.with_user(self.supervisor).action_accept_suggestion()

    def test_unique_index_refuses_a_second_earn_entry(self):
        callback = self._callbacks()
        entry = self.Rule._reward_event("survey_completed", callback)
        vals = entry.copy_data()[0]
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self.Entry.sudo().create(vals)

    def test_rules_of_other_companies_and_archived_rules_do_not_apply(self):
        self.Rule.create({"name": "B", "event": "survey_completed", "points": 99, "company_id": self.company_b.id})
        self.Rule.create({"name": "Old", "event": "survey_completed", "points": 7, "active": False})
        self.Rule._reward_event("survey_completed", self._callbacks())
        self.assertEqual(self._entries().mapped("points"), [20])

    def test_yearly_cap_limits_the_points_per_customer(self):
        self.survey_rule.yearly_cap = 50
        callbacks = self._callbacks(4)
        with freeze_time("2026-03-01"):
            self.Rule._reward_event("survey_completed", callbacks[:2])
            self.Rule._reward_event("survey_completed", callbacks[2:])
        self.assertEqual(sorted(self._entries().mapped("points")), [10, 20, 20])
        with freeze_time("2027-01-05"):
            self.Rule._reward_event("survey_completed", self._callbacks())
        self.assertEqual(sum(self._entries().mapped("points")), 70, "the cap restarts each year")

    def test_validity_sets_the_expiry_date(self):
        with freeze_time("2026-01-31 10:00:00"):
            entry = self.Rule._reward_event("survey_completed", self._callbacks())
        self.assertEqual(entry.expiry_date, datetime(2026, 2, 28, 10, 0))

    def test_callback_without_customer_earns_nothing(self):
        callback = self._callbacks()
        callback.partner_id = False
        self.assertFalse(self.Rule._reward_event("survey_completed", callback))

    def test_bad_rule_values_are_refused(self):
        with self.assertRaisesRegex(ValidationError, "Points must be a whole number between 1 and"):
            self.Rule.create({"name": "Zero", "event": "survey_completed", "points": 0})


@tagged("post_install", "-at_install")
class TestRewardLedgerImmutable(RewardCase):
    def setUp(self):
        super().setUp()
        self.entry = self.Rule._reward_event("survey_completed", self._callbacks())

    def test_nobody_writes_an_entry(self):
        for user in (self.agent_1, self.supervisor, self.manager):
            with self.assertRaises(UserError):
                self.entry.with_user(user).write({"points": 1000})
        with self.assertRaises(UserError):
            self.entry.sudo().write({"points": 1000})
        with self.assertRaises(UserError):
            self.entry.with_user(self.env.ref("base.user_admin")).write({"reason": "edited"})
        self.assertEqual(self.entry.points, 20)

    def test_nobody_deletes_an_entry(self):
        for user in (self.agent_1, self.supervisor, self.manager):
            with self.assertRaises(AccessError):
                self.entry.with_user(user).unlink()
        with self.assertRaises(UserError):
            self.entry.sudo().unlink()
        with self.assertRaises(UserError):
            self.entry.with_user(self.env.ref("base.user_admin")).unlink()
        self.assertTrue(self.entry.exists())

    def test_no_access_right_grants_write_or_unlink(self):
        rights = self.env["ir.model.access"].search(
            [("model_id.model", "=", "claim.reward.entry"), "|", ("perm_write", "=", True), ("perm_unlink", "=", True)]
        )
        self.assertFalse(rights)

    def test_users_cannot_forge_earned_or_expired_points(self):
        vals = {"partner_id": self.customer.id, "points": 500, "reason": "forged"}
        with self.assertRaises(UserError):
            self.Entry.with_user(self.manager).create(dict(vals, kind="earn"))
        with self.assertRaises(AccessError):
            self.Entry.with_user(self.agent_1).create(dict(vals, kind="adjust"))

    def test_agent_reads_the_ledger_but_not_rules_config(self):
        self.assertEqual(self.entry.with_user(self.agent_1).points, 20)
        with self.assertRaises(AccessError):
            self.survey_rule.with_user(self.agent_1).write({"points": 1})
        with self.assertRaises(AccessError):
            self.survey_rule.with_user(self.supervisor).write({"points": 1})
        self.survey_rule.with_user(self.manager).write({"points": 30})
        self.assertEqual(self.survey_rule.points, 30)


@tagged("post_install", "-at_install")
class TestRewardBalance(RewardCase):
    def test_balance_is_per_company(self):
        self._adjust(30)
        self._adjust(-5)
        self._adjust(100, company=self.company_b)
        self.assertEqual(self.customer.reward_points, 25)
        self.assertEqual(self.customer.with_company(self.company_b).reward_points, 100)

    def test_balance_of_many_partners_is_one_query(self):
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(5)])
        for i, partner in enumerate(partners):
            self._adjust(i + 1, partner=partner)
        partners.invalidate_recordset()
        with self.assertQueryCount(1):
            balances = partners.mapped("reward_points")
        self.assertEqual(balances, [1, 2, 3, 4, 5])

    def test_balances_of_a_large_set_group_the_whole_ledger(self):
        """Past the id-list limit, the same balances come from the company's whole ledger."""
        partners = self.env["res.partner"].create([{"name": f"P{i}"} for i in range(4)])
        for i, partner in enumerate(partners[:3]):
            self._adjust(10 * (i + 1), partner=partner)
        self._adjust(7, partner=partners[0], company=self.company_b)
        Entry = self.env["claim.reward.entry"]
        small = Entry._balances(partners[:2], self.company)
        with patch.object(claim_reward_entry, "BALANCE_ID_LIST_MAX", 1):
            large = Entry._balances(partners[:2], self.company)
        self.assertEqual(large, small)
        self.assertEqual(large, {partners[0]: 10, partners[1]: 20})

    def test_redeem_more_than_the_balance_writes_nothing(self):
        self._adjust(30)
        with self.assertRaises(ValidationError):
            self.customer.reward_redeem(31)
        self.assertEqual(len(self._entries()), 1)
        entry = self.customer.with_user(self.supervisor).reward_redeem(30, reason="Gift card")
        self.assertEqual((entry.kind, entry.points), ("redeem", -30))
        self.assertEqual(self.customer.reward_points, 0)

    def test_redeem_is_refused_for_bad_amounts(self):
        self._adjust(30)
        for points in (0, -5, 2.5, "10"):
            with self.assertRaises(ValidationError):
                self.customer.reward_redeem(points)

    def test_redeem_counts_only_the_balance_of_the_company(self):
        self._adjust(100, company=self.company_b)
        with self.assertRaises(ValidationError):
            self.customer.reward_redeem(1)

    def test_redeemed_points_count_in_the_cost(self):
        self.company.reward_point_value = 0.5
        self._adjust(100)
        with freeze_time("2026-04-10"):
            self.customer.reward_redeem(40)
        with freeze_time("2026-05-02"):
            self.customer.reward_redeem(10)
        cost = self.Entry._redeemed_cost
        self.assertEqual(cost(datetime(2026, 4, 1).date(), datetime(2026, 5, 1).date(), self.company), 20.0)
        self.assertEqual(cost(datetime(2026, 4, 1), datetime(2026, 6, 1), self.company), 25.0)
        self.assertEqual(cost(datetime(2026, 4, 1), datetime(2026, 6, 1), self.company_b), 0.0)


@tagged("post_install", "-at_install")
class TestRewardAdjust(RewardCase):
    def _wizard(self, user, **vals):
        form = Form(self.env["claim.reward.adjust"].with_user(user).with_context(default_partner_id=self.customer.id))
        for name, value in vals.items():
            setattr(form, name, value)
        return form

    def test_supervisor_adjusts_with_a_reason(self):
        self._wizard(self.supervisor, points=15, reason="Phone line was down").save().action_confirm()
        entry = self._entries()
        self.assertEqual((entry.kind, entry.points, entry.reason), ("adjust", 15, "Phone line was down"))
        self.assertEqual(entry.user_id, self.supervisor)

    def test_adjust_needs_a_reason(self):
        with self.assertRaises(ValidationError):
            self.Entry.with_user(self.supervisor).create(
                {"kind": "adjust", "partner_id": self.customer.id, "points": 5, "reason": "  "}
            )
        form = self._wizard(self.supervisor, points=5)
        with self.assertRaises(AssertionError):
            form.save()  # the reason is required in the form
        self.assertFalse(self._entries())

    def test_adjust_cannot_take_the_balance_below_zero(self):
        with self.assertRaises(ValidationError):
            self._wizard(self.supervisor, points=-5, reason="typo").save().action_confirm()

    def test_agent_cannot_adjust(self):
        with self.assertRaises(AccessError):
            self.env["claim.reward.adjust"].with_user(self.agent_1).create(
                {"partner_id": self.customer.id, "points": 5, "reason": "x"}
            )


@tagged("post_install", "-at_install")
class TestRewardExpiry(RewardCase):
    def test_expiry_is_fifo_and_idempotent(self):
        callbacks = self._callbacks(2)
        with freeze_time("2026-01-10"):
            old = self.Rule._reward_event("survey_completed", callbacks[0])  # 20 pts, expires 2026-02-10
        with freeze_time("2026-01-20"):
            self._adjust(50)  # no expiry
            self.customer.reward_redeem(15)  # uses the oldest points first: 15 of the 20
        with freeze_time("2026-02-05"):
            self.Rule._reward_event("survey_completed", callbacks[1])  # expires 2026-03-05
            self.assertEqual(self.Entry._expire_points(), (0, 0), "nothing due yet")
        with freeze_time("2026-02-11"):
            self.assertEqual(self.Entry._expire_points()[0], 1)
            self.assertEqual(self.Entry._expire_points(), (0, 0), "a rerun writes nothing")
        expired = self._entries(kind="expire")
        self.assertEqual((expired.points, expired.origin_id), (-5, old))
        self.assertFalse(expired.user_id, "no one recorded it: the system expired it")
        self.assertEqual(expired.reason, old.reason, "the kind, translated, says it expired: no sentence stored")
        self.assertEqual(self.customer.reward_points, 20 + 50 - 15 - 5 + 20)

    def test_one_batch_expires_each_lot_of_a_customer_after_the_older_lots_absorbed_the_debits(self):
        """Several lots of one customer expire in one batch (one statement): the debits use the oldest first."""
        other = self.env["res.partner"].create({"name": "Other customer"})
        with freeze_time("2026-01-10"):
            first = self.Rule._reward_event("survey_completed", self._callbacks())  # 20, expires 2026-02-10
            theirs = self.Rule._reward_event("survey_completed", self._callbacks(partner_id=other.id))
        with freeze_time("2026-01-12"):
            second = self.Rule._reward_event("survey_completed", self._callbacks())  # 20, expires 2026-02-12
            self.customer.reward_redeem(30)  # the first lot, then 10 of the second
            self._adjust(-3, partner=other)
        with freeze_time("2026-03-01"):
            self.assertEqual(self.Entry._expire_points(), (3, 0))
        expired = {entry.origin_id: entry.points for entry in self.Entry.search([("kind", "=", "expire")])}
        self.assertEqual(expired, {first: 0, second: -10, theirs: -17})
        self.assertEqual((self.customer.reward_points, other.reward_points), (0, 0))

    def test_a_lot_expired_earlier_counts_only_what_was_used_of_it(self):
        """A lot's FIFO share is its points less what expired of it already; another company's ledger of the
        same customer takes no part."""
        with freeze_time("2026-01-10"):
            self.Rule._reward_event("survey_completed", self._callbacks())  # 20, expires 2026-02-10
            self._adjust(10, company=self.company_b)
            self.Entry._redeem(self.customer, 10, company=self.company_b)
        with freeze_time("2026-01-11"):
            self.customer.reward_redeem(5)  # 5 of the first lot
        with freeze_time("2026-01-12"):
            second = self.Rule._reward_event("survey_completed", self._callbacks())  # 20, expires 2026-02-12
        with freeze_time("2026-02-11"):
            self.assertEqual(self.Entry._expire_points(), (1, 0))  # the first lot: 15 expire
            self.customer.reward_redeem(10)  # from the second lot: the first one's 15 are gone
        with freeze_time("2026-02-13"):
            self.assertEqual(self.Entry._expire_points(), (1, 0))
        self.assertEqual(self._entries(kind="expire", origin_id=second.id).points, -10)
        self.assertEqual(self.customer.reward_points, 0)

    def test_earned_and_expired_points_read_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_TW")
        self.survey_rule.with_context(lang="zh_TW").name = "完成問卷"
        with freeze_time("2026-01-10"):
            earned = self.Rule.with_context(lang="en_US")._reward_event("survey_completed", self._callbacks())
        with freeze_time("2026-03-01"):
            self.Entry.with_context(lang="en_US")._expire_points()
        entries = earned | self._entries(kind="expire")
        self.assertEqual(len(entries), 2)
        self.assertEqual(entries.with_context(lang="zh_TW").mapped("label"), ["完成問卷"] * 2)
        self.assertEqual(entries.with_context(lang="en_US").mapped("label"), ["Survey"] * 2)
        self.assertIn("完成問卷", entries[1].with_context(lang="zh_TW").display_name)

    def test_redemption_never_spends_points_past_their_validity_before_the_cron(self):
        with freeze_time("2026-01-10"):
            lot = self.Rule._reward_event("survey_completed", self._callbacks())  # 20 pts, expires 2026-02-10
        with freeze_time("2026-02-20"):  # the expiry cron has not run yet
            self._adjust(5)
            with self.assertRaises(ValidationError):
                self.customer.reward_redeem(10)  # 25 in the ledger, but 20 of them are past their validity
            self.customer.reward_redeem(5)
            self.assertEqual(self._entries(kind="expire").origin_id, lot, "expired on the spot, once")
            self.assertEqual(self.Entry._expire_points(), (0, 0), "nothing left for the cron")
        self.assertEqual(self.customer.reward_points, 0)

    def test_only_an_expiry_has_an_origin_and_a_lot_expires_once(self):
        """The expiries' unique index is origin_id's only index: an origin on another kind is refused, a second
        expiry of a lot too, and the lot's expiries are read through it."""
        with freeze_time("2026-01-10"):
            lot = self.Rule._reward_event("survey_completed", self._callbacks())
        with freeze_time("2026-03-01"):
            self.Entry._expire_points()
        expiry = self._entries(kind="expire")
        self.assertEqual(lot.expire_entry_ids, expiry)
        self.env.cr.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'claim_reward_entry' AND indexdef LIKE '%(origin_id)%'"
        )
        self.assertEqual(self.env.cr.fetchall(), [("claim_reward_entry_expire_once",)])
        Entry = self.Entry.sudo()
        for kind, vals in (("adjust", {"points": 5, "reason": "x"}), ("expire", {"points": 0})):
            with self.subTest(kind=kind), mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), \
                    self.env.cr.savepoint():
                Entry.create(dict(vals, kind=kind, partner_id=self.customer.id, origin_id=lot.id))
        self.assertEqual(self._entries(), lot | expiry)

    def test_the_watermark_keeps_the_microseconds_of_the_last_lot(self):
        """Lots due within the same second (dates written in SQL): the next batch starts after the last lot
        processed, not at the start of its second (which read the processed lots of that second again)."""
        with freeze_time("2026-01-10"):
            lots = self.Rule._reward_event("survey_completed", self._callbacks(3)).sorted("id")
        self.env.cr.execute(
            "UPDATE claim_reward_entry SET expiry_date = '2026-02-10 00:00:00'::timestamp + id * interval '1 us'"
            " WHERE id IN %s", [tuple(lots.ids)]
        )
        lots.invalidate_recordset(["expiry_date"])
        with freeze_time("2026-03-01"):
            self.assertEqual(self.Entry._expire_points(limit=1), (1, 1))
            self.assertNotEqual(lots[0].expiry_date.microsecond, 0)
            self.assertEqual(self.Entry._get_expiry_watermark(), (lots[0].expiry_date, lots[0].id))
            self.assertEqual(self.Entry._expire_points(limit=2), (2, 0))
        self.assertEqual(self._entries(kind="expire").origin_id, lots)

    def test_points_all_used_expire_nothing(self):
        with freeze_time("2026-01-10"):
            self.Rule._reward_event("survey_completed", self._callbacks())
            self.customer.reward_redeem(20)
        with freeze_time("2026-03-01"):
            self.Entry._expire_points()
            self.assertEqual(self._entries(kind="expire").points, 0)
            self.assertEqual(self.Entry._expire_points(), (0, 0))
        self.assertEqual(self.customer.reward_points, 0)

    def test_expiry_cron_works_in_batches(self):
        partners = self.env["res.partner"].create([{"name": f"Expiring {i}"} for i in range(3)])
        with freeze_time("2026-01-10"):
            for partner in partners:
                self.Rule._reward_event("survey_completed", self._callbacks(partner_id=partner.id))
        with freeze_time("2026-03-01"):
            self.assertEqual(self.Entry._expire_points(limit=2), (2, 1))
            self.assertEqual(self.Entry._expire_points(limit=2), (1, 0))
        for partner in partners:
            self.assertEqual(partner.reward_points, 0)

    def test_expiry_cron_runs_twice_without_duplicates(self):
        with freeze_time("2026-01-10"):
            self.Rule._reward_event("survey_completed", self._callbacks())
        cron = self.env.ref("insurance_claim_callback.ir_cron_reward_expiry")
        with freeze_time("2026-03-01"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
            cron.method_direct_trigger()
        self.assertEqual(self._entries(kind="expire").mapped("points"), [-20])


@tagged("post_install", "-at_install")
class TestRewardViews(RewardCase):
    def test_ledger_views_are_read_only(self):
        views = self.Entry.with_user(self.supervisor).get_views(
            [(False, "list"), (False, "pivot"), (False, "form"), (False, "search")]
        )
        for view_type in ("list", "form"):
            arch = views["views"][view_type]["arch"]
            self.assertIn('create="0"', arch)
            self.assertIn('edit="0"', arch)
            self.assertIn('delete="0"', arch)

    def test_partner_smart_button_opens_the_partner_ledger(self):
        self._adjust(12)
        form = Form(self.customer.with_user(self.supervisor))
        self.assertEqual(form.reward_points, 12)
        action = self.customer.with_user(self.supervisor).action_view_reward_entries()
        self.assertEqual(self.Entry.with_user(self.supervisor).search(action["domain"]).points, 12)

    def test_manager_edits_rules_in_the_form(self):
        with Form(self.Rule.with_user(self.manager)) as form:
            form.name = "Suggestion"
            form.event = "suggestion_accepted"
            form.points = 50
            form.yearly_cap = 100
        self.assertEqual(form.record.company_id, self.company)
