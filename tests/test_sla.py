from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .common import CallbackCase

FRIDAY = datetime(2025, 3, 7)  # Mon 10 March 2025 serves as a public holiday below


@tagged("post_install", "-at_install")
class SlaCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Rule = cls.env["claim.sla.rule"]
        # Rules from demo data or other tests must not interfere.
        cls.Rule.search([]).active = False

    @classmethod
    def _calendar(cls, tz, hour_from=9, hour_to=18):
        return cls.env["resource.calendar"].create(
            {
                "name": f"Office {tz}",
                "tz": tz,
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"Day {day}",
                            "dayofweek": str(day),
                            "hour_from": hour_from,
                            "hour_to": hour_to,
                            "day_period": "full_day",
                        }
                    )
                    for day in range(5)
                ],
            }
        )

    @classmethod
    def _holiday(cls, calendar, start_utc, end_utc):
        return cls.env["resource.calendar.leaves"].create(
            {"name": "Public holiday", "calendar_id": calendar.id, "date_from": start_utc, "date_to": end_utc}
        )

    def _closed_callback(self, at, **claim_vals):
        with freeze_time(at):
            claim = self._closed_claims(1, **claim_vals)
            self._schedule(claim)
        self.assertEqual(len(claim.callback_ids), 1)
        return claim.callback_ids

    def _check(self, at):
        with freeze_time(at):
            self.env["claim.callback"]._sla_check(500)


@tagged("post_install", "-at_install")
class TestSlaDeadlines(SlaCase):
    def test_no_rule_counts_the_default_targets_in_calendar_hours(self):
        callback = self._closed_callback(FRIDAY.replace(hour=16, minute=30))
        self.assertFalse(callback.sla_rule_id)
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 8, 16, 30))
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 10, 16, 30))
        self.assertEqual(callback.sla_first_contact_risk_date, FRIDAY.replace(hour=16, minute=30) + timedelta(hours=19.2))
        self.assertEqual((callback.sla_first_contact_status, callback.sla_completion_status), ("on_track", "on_track"))

    def test_rule_in_calendar_hours(self):
        self.Rule.create({"name": "Fast", "first_contact_hours": 4, "completion_hours": 30})
        callback = self._closed_callback(FRIDAY.replace(hour=16, minute=30))
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 7, 20, 30))
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 8, 22, 30))

    def test_business_hours_friday_evening_is_due_wednesday(self):
        calendar = self._calendar("Europe/Paris")
        self.Rule.create({"name": "Office", "resource_calendar_id": calendar.id, "first_contact_hours": 24})
        # Friday 17:30 in Paris (UTC+1 in March) = 16:30 UTC
        callback = self._closed_callback(datetime(2025, 3, 7, 16, 30))
        # 0.5 h Friday + 9 h Monday + 9 h Tuesday + 5.5 h Wednesday: Wednesday 14:30 Paris
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 12, 13, 30))

    def test_public_holiday_moves_the_deadline_a_day(self):
        calendar = self._calendar("Europe/Paris")
        self._holiday(calendar, datetime(2025, 3, 9, 23, 0), datetime(2025, 3, 10, 22, 59, 59))
        self.Rule.create({"name": "Office", "resource_calendar_id": calendar.id, "first_contact_hours": 24})
        callback = self._closed_callback(datetime(2025, 3, 7, 16, 30))
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 13, 13, 30))

    def test_calendar_time_zone_is_honoured(self):
        taipei = self._calendar("Asia/Taipei")
        self.Rule.create({"name": "Taipei office", "resource_calendar_id": taipei.id, "first_contact_hours": 24})
        # Friday 17:30 in Taipei (UTC+8) = 09:30 UTC; due Wednesday 14:30 Taipei = 06:30 UTC
        callback = self._closed_callback(datetime(2025, 3, 7, 9, 30))
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 12, 6, 30))

    def test_batch_planning_agrees_with_plan_hours(self):
        calendar = self._calendar("Europe/Paris")
        self._holiday(calendar, datetime(2025, 3, 9, 23, 0), datetime(2025, 3, 10, 22, 59, 59))
        rule = self.Rule.create({"name": "Office", "resource_calendar_id": calendar.id})
        starts = [datetime(2025, 3, 7, h, m) for h in (0, 7, 8, 12, 16, 17, 22) for m in (0, 30)]
        pairs = [(start, hours) for start in starts for hours in (1, 9, 24, 72, 200)]
        expected = [
            calendar.plan_hours(hours, start.replace(tzinfo=None), compute_leaves=True) for start, hours in pairs
        ]
        self.assertEqual(rule._plan(pairs), expected)

    def test_rule_edited_later_keeps_deadlines_until_a_supervisor_recomputes(self):
        rule = self.Rule.create({"name": "Default", "first_contact_hours": 24, "completion_hours": 72})
        callback = self._closed_callback(datetime(2025, 3, 7, 16, 30))
        rule.write({"first_contact_hours": 8, "completion_hours": 48})
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 8, 16, 30), "kept the old deadline")
        with self.assertRaises(AccessError):
            callback.with_user(self.agent_1).action_recompute_sla()
        callback.with_user(self.supervisor).action_recompute_sla()
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 8, 0, 30))
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 9, 16, 30))
        self.assertIn("SLA recomputed", callback.message_ids[0].body)

    def test_recompute_keeps_a_met_target(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 16, 30))
        with freeze_time("2025-03-07 18:00:00"):
            callback.register_attempt("phone", "no_answer")
        self.Rule.create({"name": "Strict", "first_contact_hours": 1})
        callback.with_user(self.supervisor).action_recompute_sla()
        self.assertEqual(callback.sla_first_contact_status, "met")
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2025, 3, 8, 16, 30))


@tagged("post_install", "-at_install")
class TestSlaRuleMatching(SlaCase):
    def test_most_specific_rule_wins_then_sequence(self):
        major = self.env.ref("insurance_claim_callback.claim_category_major")
        vip = self.env["res.partner.category"].create({"name": "VIP"})
        self.customer.category_id = vip
        general = self.Rule.create({"name": "Company default", "sequence": 1})
        by_category = self.Rule.create({"name": "Major", "category_ids": [Command.set(major.ids)], "sequence": 5})
        by_category_vip = self.Rule.create(
            {
                "name": "Major VIP",
                "category_ids": [Command.set(major.ids)],
                "partner_category_ids": [Command.set(vip.ids)],
                "sequence": 20,
            }
        )
        tie_later = self.Rule.create({"name": "Big amounts", "amount_min": 5000, "sequence": 9})
        claims = (
            self._claim(claim_category_id=major.id)
            | self._claim(claim_category_id=major.id, partner_id=self.env["res.partner"].create({"name": "Li"}).id)
            | self._claim(claim_amount=9000, paid_amount=0)
            | self._claim()
            | self._claim(claim_category_id=major.id, claim_amount=9000, paid_amount=0, partner_id=self.env["res.partner"].create({"name": "Wu"}).id)
        )
        matched = self.Rule._match_tickets(claims)
        self.assertEqual(
            [matched[c.id] for c in claims], [by_category_vip, by_category, tie_later, general, by_category]
        )

    def test_rules_of_another_company_and_archived_rules_do_not_apply(self):
        self.Rule.create({"name": "B", "company_id": self.company_b.id, "first_contact_hours": 2})
        self.Rule.create({"name": "Archived", "active": False, "first_contact_hours": 3})
        claim = self._claim()
        self.assertFalse(self.Rule._match_tickets(claim)[claim.id])

    def test_amount_range_and_team(self):
        rule = self.Rule.create(
            {"name": "Mid", "amount_min": 500, "amount_max": 2000, "team_ids": [Command.set(self.team.ids)]}
        )
        self.assertTrue(rule._matches(self._claim(claim_amount=2000, paid_amount=0)))
        self.assertFalse(rule._matches(self._claim(claim_amount=2001, paid_amount=0)))
        self.assertFalse(rule._matches(self._claim(team_id=self.other_team.id)))

    def test_bad_input_is_refused(self):
        calendar = self.env["resource.calendar"].create({"name": "Empty", "attendance_ids": [Command.clear()]})
        for vals in (
            {"first_contact_hours": 0},
            {"completion_hours": -1},
            {"resolution_hours": 0},
            {"at_risk_ratio": 0},
            {"at_risk_ratio": 1},
            {"at_risk_ratio": 1.5},
            {"amount_min": 100, "amount_max": 50},
            {"amount_min": -1},
            {"resource_calendar_id": calendar.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.Rule.create({"name": "Bad", **vals})

    def test_agents_read_rules_managers_write_them_per_company(self):
        rule = self.Rule.create({"name": "Ours"})
        other = self.Rule.create({"name": "Theirs", "company_id": self.company_b.id})
        self.assertEqual(self.Rule.with_user(self.agent_1).search([("id", "in", (rule | other).ids)]), rule)
        with self.assertRaises(AccessError):
            rule.with_user(self.agent_1).write({"first_contact_hours": 2})
        with self.assertRaises(AccessError):
            rule.with_user(self.supervisor).write({"first_contact_hours": 2})
        rule.with_user(self.manager).write({"first_contact_hours": 2})
        self.assertEqual(rule.first_contact_hours, 2)
        with self.assertRaises(AccessError):
            other.with_user(self.manager).read(["name"])

    def test_preview_on_a_sample_claim(self):
        rule = self.Rule.create({"name": "Routine", "category_ids": [Command.set(self.routine.ids)]})
        claim = self._closed_callback(datetime(2025, 3, 7, 16, 30)).ticket_id
        action = rule.with_user(self.manager).action_open_preview()
        with Form(self.env[action["res_model"]].with_user(self.manager).with_context(**action["context"])) as form:
            form.ticket_id = claim
            self.assertEqual(form.start_date, datetime(2025, 3, 7, 16, 30))
            self.assertTrue(form.rule_matches)
            self.assertEqual(form.winning_rule_id, rule)
            self.assertEqual(form.completion_deadline, datetime(2025, 3, 10, 16, 30))
            self.assertEqual(form.resolution_deadline, datetime(2025, 3, 9, 16, 30))

    def test_rule_and_risk_views_open(self):
        views = self.Rule.with_user(self.manager).get_views([(False, "list"), (False, "form"), (False, "search")])
        self.assertEqual(set(views["views"]), {"list", "form", "search"})
        action = self.env.ref("insurance_claim_callback.claim_callback_action_sla_risk")
        view = self.env["claim.callback"].with_user(self.supervisor).get_views([(action.view_id.id, "list")])
        self.assertIn("sla_completion_status", view["views"]["list"]["arch"])


@tagged("post_install", "-at_install")
class TestSlaPause(SlaCase):
    def test_call_back_later_pauses_and_the_next_attempt_resumes(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 8, 0))  # completion due Mon 08:00
        with freeze_time("2025-03-07 10:00:00"):
            callback.register_attempt("phone", "call_back_later", callback_at="2025-03-10 12:00:00")
        self.assertEqual(callback.sla_paused_since, datetime(2025, 3, 7, 10, 0))
        self.assertEqual(callback.sla_pause_until, datetime(2025, 3, 10, 12, 0))
        self.assertEqual(callback.sla_first_contact_status, "met")
        # Paused: the completion deadline has passed, but the clock does not run.
        self._check("2025-03-10 09:00:00")
        self.assertEqual(callback.sla_completion_status, "on_track")
        with freeze_time("2025-03-10 09:00:00"):
            callback.register_attempt("phone", "reached")
        self.assertFalse(callback.sla_paused_since)
        self.assertAlmostEqual(callback.sla_paused_hours, 71)
        # 70 hours were left at the pause: they count again from the resumption.
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 13, 7, 0))

    def test_pause_ends_at_the_customer_time_without_a_new_attempt(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 8, 0))
        with freeze_time("2025-03-07 10:00:00"):
            callback.register_attempt("phone", "call_back_later", callback_at="2025-03-07 20:00:00")
        self._check("2025-03-08 09:00:00")
        self.assertFalse(callback.sla_paused_since)
        self.assertAlmostEqual(callback.sla_paused_hours, 10)
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 10, 18, 0))

    def test_pause_on_business_hours_counts_only_working_time_left(self):
        calendar = self._calendar("UTC")
        self.Rule.create({"name": "Office", "resource_calendar_id": calendar.id, "completion_hours": 18})
        callback = self._closed_callback(datetime(2025, 3, 7, 9, 0))  # due Mon 18:00
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 10, 18, 0))
        with freeze_time("2025-03-07 14:00:00"):  # 13 working hours left
            callback.register_attempt("phone", "call_back_later", callback_at="2025-03-10 10:00:00")
        with freeze_time("2025-03-10 10:00:00"):
            callback.register_attempt("phone", "reached")
        self.assertEqual(callback.sla_completion_deadline, datetime(2025, 3, 11, 14, 0))

    def test_bad_call_back_time_is_refused(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 8, 0))
        with freeze_time("2025-03-07 10:00:00"):
            with self.assertRaises(ValidationError):
                callback.register_attempt("phone", "call_back_later", callback_at="2025-03-07 09:00:00")
            with self.assertRaises(ValidationError):
                callback.register_attempt("phone", "no_answer", callback_at="2025-03-08 09:00:00")
        self.assertFalse(callback.attempt_ids)


@tagged("post_install", "-at_install")
class TestSlaCron(SlaCase):
    def test_statuses_move_on_track_at_risk_breached_then_freeze(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 0, 0))  # 24 h / 72 h, at risk from 80 %
        self._check("2025-03-07 19:00:00")
        self.assertEqual(callback.sla_first_contact_status, "on_track")
        self._check("2025-03-07 19:12:00")
        self.assertEqual(callback.sla_first_contact_status, "at_risk")
        self._check("2025-03-08 00:01:00")
        self.assertEqual(callback.sla_first_contact_status, "breached")
        self.assertEqual(callback.sla_completion_status, "on_track")
        with freeze_time("2025-03-08 01:00:00"):
            callback.register_attempt("phone", "reached")
            callback.register_result(5)
        self.assertEqual((callback.sla_first_contact_status, callback.sla_completion_status), ("missed", "met"))
        self._check("2025-03-20 00:00:00")
        self.assertEqual((callback.sla_first_contact_status, callback.sla_completion_status), ("missed", "met"))

    def test_escalation_fires_once_per_callback_and_target(self):
        template = self.env.ref("insurance_claim_callback.mail_template_sla_escalation")
        self.Rule.create(
            {
                "name": "Escalating",
                "escalation_trigger": "at_risk",
                "escalation_mail_template_id": template.id,
                "escalation_reassign": "supervisor",
                "escalation_raise_priority": True,
            }
        )
        callback = self._closed_callback(datetime(2025, 3, 7, 0, 0))
        self.assertIn(callback.user_id, self.agent_1 | self.agent_2)
        for at in ("2025-03-07 20:00:00", "2025-03-07 21:00:00", "2025-03-08 01:00:00"):
            self._check(at)
        activities = self.env["mail.activity"].search([("res_model", "=", "claim.callback"), ("res_id", "=", callback.id)])
        self.assertEqual(len(activities), 1, "first contact escalated once, at risk then breached")
        self.assertEqual(activities.user_id, self.supervisor)
        self.assertEqual(callback.user_id, self.supervisor)
        self.assertEqual(callback.priority, "2")
        self.assertTrue(callback.sla_first_contact_escalated)
        self.assertFalse(callback.sla_completion_escalated)
        mails = self.env["mail.mail"].search([("model", "=", "claim.callback"), ("res_id", "=", callback.id)])
        self.assertEqual(len(mails), 1)
        self._check("2025-03-09 23:00:00")  # completion at risk now
        self.assertTrue(callback.sla_completion_escalated)
        self.assertEqual(callback.priority, "3")
        self.assertEqual(len(callback.activity_ids), 2)

    def test_default_escalation_on_breach_is_an_activity_for_the_leader(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 0, 0))
        agent = callback.user_id
        self._check("2025-03-07 20:00:00")
        self.assertFalse(callback.activity_ids)
        self._check("2025-03-08 00:30:00")
        self.assertEqual(callback.activity_ids.user_id, self.supervisor)
        self.assertEqual(callback.user_id, agent)
        self.assertEqual(callback.priority, "1")

    def test_least_loaded_reassignment(self):
        self.Rule.create({"name": "Reassign", "escalation_reassign": "least_loaded"})
        callbacks = self._closed_callback(datetime(2025, 3, 7, 0, 0))
        callbacks.user_id = False
        self._check("2025-03-08 00:30:00")
        self.assertIn(callbacks.user_id, self.agent_1 | self.agent_2)

    def test_cron_batches_and_query_count_does_not_grow(self):
        few = self.env["claim.callback"].concat(*(self._closed_callback(datetime(2025, 3, 7)) for _ in range(3)))
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time("2025-03-07 20:00:00"):
            queries_before = self.cr.sql_log_count
            processed, remaining = self.env["claim.callback"]._sla_check(2)
            self.env.flush_all()
            few_queries = self.cr.sql_log_count - queries_before
        # at 20:00 the calling windows (09:00-20:00, UTC) close too: the cron moves them to the next day in
        # batches as well, after the statuses
        self.assertEqual((processed, remaining), (2 + 2, 1 + 1))
        many = self.env["claim.callback"].concat(*(self._closed_callback(datetime(2025, 3, 7)) for _ in range(12)))
        self.env.flush_all()
        self.env.invalidate_all()
        with freeze_time("2025-03-07 20:00:00"):
            queries_before = self.cr.sql_log_count
            processed, remaining = self.env["claim.callback"]._sla_check(500)
            self.env.flush_all()
            many_queries = self.cr.sql_log_count - queries_before
        self.assertEqual(processed, 13 + 13)
        self.assertFalse(remaining)
        self.assertLessEqual(many_queries, few_queries + 2)
        self.assertEqual(set((few | many).mapped("callable_from")), {datetime(2025, 3, 8, 9, 0)})
        self.assertEqual(set((few | many).mapped("sla_first_contact_status")), {"at_risk"})

    def test_scheduled_action_runs(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 0, 0))
        cron = self.env.ref("insurance_claim_callback.ir_cron_sla_check")
        with freeze_time("2025-03-08 01:00:00"), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        callback.invalidate_recordset()
        self.assertEqual(callback.sla_first_contact_status, "breached")


@tagged("post_install", "-at_install")
class TestFeedbackIssueSla(SlaCase):
    def _issue(self, callback, **vals):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Payment arrived late",
                "description": "Raised in a callback",
                "partner_id": callback.partner_id.id,
                "team_id": callback.team_id.id,
                "source_callback_id": callback.id,
                **vals,
            }
        )

    def test_feedback_issue_carries_the_48h_resolution_target(self):
        callback = self._closed_callback(datetime(2025, 3, 7, 0, 0))
        with freeze_time("2025-03-07 10:00:00"):
            issue = self._issue(callback, is_complaint=True)
        self.assertEqual(callback.feedback_ticket_ids, issue)
        self.assertEqual(issue.sla_resolution_deadline, datetime(2025, 3, 9, 10, 0))
        self.assertEqual(issue.sla_resolution_status, "on_track")
        self._check("2025-03-09 01:00:00")
        self.assertEqual(issue.sla_resolution_status, "at_risk")
        self._check("2025-03-09 11:00:00")
        self.assertEqual(issue.sla_resolution_status, "breached")
        self.assertEqual(issue.activity_ids.user_id, self.supervisor)
        with freeze_time("2025-03-09 12:00:00"):
            issue.stage_id = self.stage_done
        self.assertEqual(issue.sla_resolution_status, "missed")

    def test_feedback_issue_resolved_in_time_is_met_on_the_rule_clock(self):
        self.Rule.create({"name": "Issues", "resolution_hours": 4})
        callback = self._closed_callback(datetime(2025, 3, 7, 0, 0))
        with freeze_time("2025-03-07 10:00:00"):
            issue = self._issue(callback)
        self.assertEqual(issue.sla_resolution_deadline, datetime(2025, 3, 7, 14, 0))
        with freeze_time("2025-03-07 12:00:00"):
            issue.stage_id = self.stage_done
        self.assertEqual(issue.sla_resolution_status, "met")

    def test_ordinary_tickets_have_no_resolution_sla(self):
        ticket = self._claim()
        self.assertFalse(ticket.sla_resolution_status)
        self.assertFalse(ticket.sla_resolution_deadline)
