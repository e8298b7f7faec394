"""The agent's queue says who to call now and why (issue 20, item 3), and a paused SLA reads one way
(item 8): on real Odoo, as an agent, at fixed moments of one day in three time zones."""

from datetime import datetime, timedelta

from freezegun import freeze_time
from lxml import etree

from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from ..models.claim_callback_queue import QUEUE_ORDER, QUEUE_SECTIONS
from .common import CallbackCase

# Thu 26 Nov 2026 07:36 UTC: 15:36 in Taipei (inside the 09:00-20:00 calling window), 02:36 in New York and
# 08:36 in Brussels (both before it opens).
T0 = datetime(2026, 11, 26, 7, 36)
QUEUE_ACTION = "insurance_claim_callback.claim_callback_action_my_queue"


class QueueCase(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Callback = cls.env["claim.callback"]
        cls.customer.tz = "Asia/Taipei"
        cls.new_yorker = cls.env["res.partner"].create(
            {"name": "Emily Carter", "phone": "+1 212 555 0142", "email": "emily@example.com", "tz": "America/New_York"}
        )
        cls.brussels = cls._brussels_customer()
        cls.env["res.lang"]._activate_lang("zh_TW")

    def _callback(self, partner=None, at=T0, agent=None, **claim_vals):
        with freeze_time(at):
            claim = self._closed_claims(1, partner_id=(partner or self.customer).id, **claim_vals)
            self._schedule(claim)
        callback = claim.callback_ids
        callback.user_id = agent or self.agent_1
        return callback

    def _log_call(self, callback, outcome, at=T0, **vals):
        with freeze_time(at):
            wizard = self.env["claim.callback.log.call"].with_user(self.agent_1).create(
                {"callback_id": callback.id, "outcome": outcome, **vals}
            )
            return wizard.action_confirm()

    def _as_agent(self, callbacks):
        return callbacks.with_user(self.agent_1)

    def _section(self, section, callbacks):
        return self.Callback.with_user(self.agent_1).search([("id", "in", callbacks.ids), ("queue_section", "=", section)])


@tagged("post_install", "-at_install")
class TestCallbackQueue(QueueCase):
    """Call Now holds only customers inside their calling window; each row says why; counts are callbacks."""

    def test_call_now_holds_only_customers_whose_calling_window_is_open(self):
        taipei, new_york, brussels = (self._callback(p) for p in (self.customer, self.new_yorker, self.brussels))
        everyone = taipei | new_york | brussels
        with freeze_time(T0):
            # 02:36 in New York: not in Call Now (the issue's case), with the local time its window opens
            self.assertEqual(self._section("1_now", everyone), taipei)
            self.assertEqual(self._section("2_later", everyone), new_york | brussels)
            self.assertEqual(self._as_agent(taipei).queue_status, "Call now")
            self.assertEqual(self._as_agent(new_york).queue_status, "Opens 09:00 AM (Eastern Time)")
            self.assertEqual(self._as_agent(brussels).queue_status, "Opens 09:00 AM (Central European Time)")
        with freeze_time("2026-11-26 08:00:00"):  # 09:00 in Brussels: no cron needed, the window is open
            self.env.invalidate_all()
            self.assertEqual(self._section("1_now", everyone), taipei | brussels)
        with freeze_time("2026-11-26 12:00:00"):  # 20:00 in Taipei: its window closed, tomorrow's is shown
            self.env.invalidate_all()
            self.assertEqual(self._section("1_now", everyone), brussels)
            self.assertEqual(self._as_agent(taipei).queue_status, "Opens Fri, Nov 27, 09:00 AM (Taipei Time)")
            self.Callback._sla_check(500)  # the SLA cron moves the closed window to the next one
        self.assertEqual(taipei.callable_from, datetime(2026, 11, 27, 1, 0))
        self.assertEqual(taipei.callable_until, datetime(2026, 11, 27, 12, 0))
        with freeze_time("2026-11-26 14:00:00"):  # 09:00 in New York
            self.env.invalidate_all()
            self.assertEqual(self._section("1_now", everyone), brussels | new_york)

    def test_section_searched_sorted_and_grouped_as_each_row_computes_it(self):
        taipei, new_york = self._callback(), self._callback(self.new_yorker)
        retried = self._callback()
        self._log_call(retried, "no_answer")  # next try at 09:36 UTC
        used_up = self._callback()
        for _i in range(3):
            self._log_call(used_up, "busy")
        done = self._callback()
        done.with_user(self.agent_1).register_result(5)
        everyone = taipei | new_york | retried | used_up | done
        for moment in ("2026-11-26 07:36:00", "2026-11-26 09:40:00", "2026-11-26 14:30:00"):
            with self.subTest(moment=moment), freeze_time(moment):
                self.env.invalidate_all()
                Callback = self.Callback.with_user(self.agent_1)
                rows = Callback.search([("id", "in", everyone.ids)], order=QUEUE_ORDER)
                computed = {callback.id: callback.queue_section for callback in rows}
                self.assertEqual([computed[c.id] for c in rows], sorted(computed[c.id] for c in rows))
                groups = dict(Callback._read_group([("id", "in", everyone.ids)], ["queue_section"], ["__count"]))
                for section, _label in QUEUE_SECTIONS:
                    expected = {cid for cid, value in computed.items() if value == section}
                    self.assertEqual(set(self._section(section, everyone).ids), expected, section)
                    self.assertEqual(groups.get(section, 0), len(expected), section)
        self.assertEqual(used_up.queue_section, "3_fallback")
        self.assertEqual(done.queue_section, "4_closed")

    def test_phone_tries_used_up_leave_the_queue_for_the_fallback(self):
        callback, other = self._callback(), self._callback()
        self._log_call(callback, "no_answer")
        self._log_call(callback, "busy", at=T0 + timedelta(hours=2))
        with freeze_time(T0 + timedelta(hours=4)):
            self.env.invalidate_all()
            self.assertEqual(self._as_agent(callback).queue_reason, "retry 3 of 3 · due in 68 h")
        self._log_call(callback, "no_answer", at=T0 + timedelta(hours=4))
        self.assertTrue(callback.fallback_date, "the fallback message is planned")
        with freeze_time(T0 + timedelta(hours=4)):
            self.env.invalidate_all()
            self.assertEqual(callback.queue_section, "3_fallback")
            self.assertEqual(self._as_agent(callback).queue_status, "Phone tries used up")
            action = self.env["ir.actions.act_window"]._for_xml_id(QUEUE_ACTION)
            queue = self.Callback.with_user(self.agent_1).search(self._queue_domain(action))
            self.assertNotIn(callback, queue, "no fourth call is invited")
            self.assertIn(other, queue)
            self.assertEqual(self.Callback.with_user(self.agent_1)._next_in_queue(), other)

    def _queue_domain(self, action):
        """What My Queue lists when it opens: its default filters of the search view."""
        context = safe_eval(action["context"], {"uid": self.agent_1.id})
        arch = self.Callback.with_user(self.agent_1).get_views([(False, "search")])["views"]["search"]["arch"]
        domain = []
        for node in etree.fromstring(arch).iterfind(".//filter"):
            if context.get(f"search_default_{node.get('name')}"):
                domain += safe_eval(node.get("domain"), {"uid": self.agent_1.id})
        return domain

    def test_each_row_says_why_with_category_and_risk(self):
        first = self._callback()
        retried = self._callback()
        self._log_call(retried, "no_answer")
        asked = self._callback()
        self._log_call(asked, "call_back_later", callback_day="2026-11-27", callback_time=14.5)  # 06:30 UTC
        with freeze_time(T0):
            rows = self._as_agent(first | retried | asked)
            self.assertEqual(rows[0].queue_reason, "first contact due in 24 h")
            self.assertEqual(rows[1].queue_reason, "retry 2 of 3 · due in 72 h")
            # not callable yet: the status tells until when, the reason why
            self.assertEqual(rows[2].queue_reason, "customer asked to be called back later")
            self.assertEqual(rows[2].queue_status, "Paused until Fri, Nov 27, 02:30 PM (Taipei Time)")
            self.assertEqual(rows[0].claim_category_id, self.routine)
            self.assertEqual(rows[0].customer_risk, "none")
        with freeze_time("2026-11-27 06:31:00"):  # the time the customer chose has come; the SLA cron resumed it
            self.Callback._sla_check(500)
            self.env.invalidate_all()
            self.assertFalse(asked.sla_paused_since)
            self.assertEqual(self._as_agent(asked).queue_status, "Call now")
            self.assertEqual(self._as_agent(asked).queue_reason, "customer asked for 02:30 PM (Taipei Time)")
        with freeze_time(T0):  # the moment as a zh_TW reader writes it (locale_format)
            self.env.invalidate_all()
            zh = self._as_agent(asked).with_context(lang="zh_TW")
            self.assertIn("11月27日（週五）14:30（台北時間）", zh.queue_status)

    def test_second_callback_after_a_resolved_complaint_and_a_high_risk_customer(self):
        first = self._callback()
        with freeze_time(T0 + timedelta(hours=1)):
            first.with_user(self.agent_1).register_attempt("phone", "reached")
            first.with_user(self.agent_1).register_result(3, issues=[{"name": "Paid late", "is_complaint": True}])
            complaint = first.feedback_ticket_ids
            self.env["res.partner"]._update_callback_risk(self.customer)
            other_claim = self._callback(self.customer, at=T0 + timedelta(hours=1))
            self.env.invalidate_all()
            row = self._as_agent(other_claim)
            self.assertEqual(row.customer_risk, "high")
            self.assertEqual(row.queue_reason, "first contact due in 24 h · high risk: open complaint")
        with freeze_time(T0 + timedelta(hours=3)):
            complaint.stage_id = self.stage_done  # resolved: the chain schedules the second callback
            second = first.child_ids
            self.assertEqual(second.sequence, 2)
            second.user_id = self.agent_1
            self.env["res.partner"]._update_callback_risk(self.customer)
            self.env.invalidate_all()
            row = self._as_agent(second)
            self.assertEqual(row.queue_reason, "second callback after a resolved complaint · first contact due in 24 h")
            self.assertEqual(row.customer_risk, "watch", "a middling score, no open complaint any more")

    def test_my_queue_counts_callbacks_not_groups(self):
        callbacks = self._callback() | self._callback(self.new_yorker) | self._callback(self.brussels)
        action = self.env["ir.actions.act_window"]._for_xml_id(QUEUE_ACTION)
        context = safe_eval(action["context"], {"uid": self.agent_1.id})
        self.assertFalse([key for key in context if "group" in key], "the queue opens as one list of callbacks")
        Callback = self.Callback.with_user(self.agent_1)
        queue_view = self.env.ref("insurance_claim_callback.claim_callback_view_list_queue")
        view = Callback.get_views([(queue_view.id, "list")])["views"]["list"]
        arch = etree.fromstring(view["arch"])
        self.assertEqual(arch.get("default_order"), QUEUE_ORDER, "the queue's one order (QUEUE_ORDER)")
        self.assertIsNone(arch.get("expand"))
        for column in ("queue_reason", "queue_status", "claim_category_id", "customer_risk"):
            self.assertTrue(arch.xpath(f"//field[@name='{column}']"), column)
        kanban = Callback.get_views([(False, "kanban")])["views"]["kanban"]["arch"]
        self.assertEqual(etree.fromstring(kanban).get("default_order"), QUEUE_ORDER)
        with freeze_time(T0):
            result = Callback.web_search_read(self._queue_domain(action), {"queue_reason": {}}, order=QUEUE_ORDER)
        self.assertEqual(result["length"], 3)
        self.assertEqual({row["id"] for row in result["records"]}, set(callbacks.ids))


@tagged("post_install", "-at_install")
class TestPausedSlaReadsOneWay(QueueCase):
    """A paused callback reads "Paused until ..." everywhere, is not at risk, and its deadlines read as after it."""

    def _paused(self):
        # closed 2026-11-24 04:00 UTC: completion due 27 Nov 04:00, at risk from 26 Nov 13:36 (80 %)
        callback = self._callback(at=datetime(2026, 11, 24, 4, 0))
        with freeze_time("2026-11-26 14:00:00"):  # 22:00 in Taipei: at risk
            self.Callback._sla_check(500)
        self.assertEqual(callback.sla_completion_status, "at_risk")
        # the customer asks for Sat 28 Nov 14:30 in Taipei (06:30 UTC), 40.5 hours after the pause
        self._log_call(callback, "call_back_later", at="2026-11-26 14:00:00", callback_day="2026-11-28",
                       callback_time=14.5)
        return callback

    def test_a_paused_callback_reads_paused_until_everywhere(self):
        callback = self._paused()
        expected = "Paused until Sat, Nov 28, 02:30 PM (Taipei Time)"
        with freeze_time("2026-11-26 14:00:00"):
            self.env.invalidate_all()
            row = self._as_agent(callback)
            self.assertEqual(row.sla_completion_label, expected)
            self.assertEqual(row.sla_countdown, expected)
            self.assertEqual(row.queue_status, expected)
        with freeze_time("2026-11-26 14:00:00"):
            self.env.invalidate_all()
            self.assertEqual(callback.with_user(self.supervisor).sla_completion_label, expected)
        form = etree.fromstring(
            self.Callback.with_user(self.agent_1).get_views([(False, "form")])["views"]["form"]["arch"]
        )
        # one moment, one field: not the pause end, the raw next try and its local time besides
        self.assertFalse(form.xpath("//field[@name='sla_pause_until']"))
        self.assertFalse(form.xpath("//field[@name='next_attempt_date']"))
        self.assertIn("sla_paused_since", form.xpath("//field[@name='next_attempt_local']")[0].get("invisible"))
        self.assertTrue(form.xpath("//field[@name='sla_completion_label'][@widget='badge']"))
        for view in ("claim_callback_view_list", "claim_callback_view_list_sla_risk"):
            arch = self.env.ref(f"insurance_claim_callback.{view}").arch
            self.assertIn('name="sla_completion_label"', arch, view)

    def test_a_paused_callback_is_not_listed_at_risk(self):
        callback = self._paused()
        at_risk = self._callback(at=datetime(2026, 11, 24, 4, 0))
        with freeze_time("2026-11-26 14:00:00"):
            self.Callback._sla_check(500)
        self.assertEqual(at_risk.sla_completion_status, "at_risk")
        action = self.env["ir.actions.act_window"]._for_xml_id("insurance_claim_callback.claim_callback_action_sla_risk")
        context = safe_eval(action["context"])
        arch = self.Callback.with_user(self.supervisor).get_views([(False, "search")])["views"]["search"]["arch"]
        domain = []
        for node in etree.fromstring(arch).iterfind(".//filter"):
            if context.get(f"search_default_{node.get('name')}"):
                domain += safe_eval(node.get("domain"), {"uid": self.supervisor.id})
        listed = self.Callback.with_user(self.supervisor).search(domain)
        self.assertIn(at_risk, listed)
        self.assertNotIn(callback, listed)

    def test_deadlines_read_as_they_will_be_once_it_resumes(self):
        callback = self._paused()
        # 14 h of the 72 were left at the pause (26 Nov 14:00 → 27 Nov 04:00): they count from 28 Nov 06:30
        self.assertEqual(callback.sla_completion_deadline, datetime(2026, 11, 28, 20, 30))
        self.assertEqual(callback.next_due_date, datetime(2026, 11, 28, 20, 30))
        with freeze_time("2026-11-28 06:40:00"):
            self.Callback._sla_check(500)
        self.assertFalse(callback.sla_paused_since)
        self.assertEqual(callback.sla_completion_deadline, datetime(2026, 11, 28, 20, 30), "unchanged at the resume")
        self.assertAlmostEqual(callback.sla_paused_hours, 40.5)

    def test_recomputing_the_sla_while_paused_keeps_the_deadline_after_the_pause(self):
        callback = self._paused()
        with freeze_time("2026-11-26 15:00:00"):
            callback.with_user(self.supervisor).action_recompute_sla()
        self.assertEqual(callback.sla_completion_deadline, datetime(2026, 11, 28, 20, 30))
