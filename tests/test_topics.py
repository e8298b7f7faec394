from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestTopics(CallbackCase):
    """register_result reads the topics of the feedback and problems (zh_TW, zh_CN, English)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.topic = {
            code: cls.env.ref(f"insurance_claim_callback.feedback_topic_{code}")
            for code in ("payout_speed", "payout_amount", "staff_attitude", "documents", "reachability", "digital",
                         "process")
        }

    def _callback(self):
        claim = self._claim()
        return self.env["claim.callback"].create(
            {"ticket_id": claim.id, "partner_id": self.customer.id, "team_id": self.team.id,
             "user_id": self.agent_1.id}
        )

    def _codes(self, callback):
        return set(callback.topic_ids.mapped("code"))

    def test_seven_seeded_topics_with_their_seed_keywords(self):
        topics = self.env["claim.feedback.topic"].search([])
        self.assertEqual(set(topics.mapped("code")), set(self.topic))
        self.assertIn("paperwork", self.topic["documents"].keywords)
        self.assertIn("到账", self.topic["payout_speed"].keywords)

    def test_english_feedback_and_problems(self):
        callback = self._callback()
        callback.with_user(self.agent_1).register_result(
            2, feedback="The payout took six weeks to arrive, far too slow.",
            issues=["They deducted too much from the amount"],
        )
        self.assertEqual(self._codes(callback), {"payout_speed", "payout_amount"})

    def test_traditional_chinese_feedback(self):
        callback = self._callback()
        callback.with_user(self.agent_1).register_result(3, feedback="電話一直打不通，沒人回電")
        self.assertEqual(self._codes(callback), {"reachability"})

    def test_simplified_chinese_feedback_and_problem(self):
        callback = self._callback()
        callback.with_user(self.agent_1).register_result(
            2, feedback="客服态度很差，很不耐烦。", issues=[{"name": "我要补交资料，材料被要求了三次", "is_complaint": True}]
        )
        self.assertEqual(self._codes(callback), {"staff_attitude", "documents"})

    def test_no_topic_when_the_text_speaks_of_none(self):
        for text in ("Thank you, all good", "谢谢，没问题", None):
            callback = self._callback()
            callback.register_result(5, feedback=text)
            self.assertFalse(callback.topic_ids, text)

    def test_a_topic_a_company_adds_is_found_by_its_keywords(self):
        added = self.env["claim.feedback.topic"].create(
            {"name": "Roadside assistance", "code": "roadside", "keywords": "tow truck\n拖车"}
        )
        callback = self._callback()
        callback.register_result(4, feedback="The TOW TRUCK came late but the payout was quick.")
        self.assertIn(added, callback.topic_ids)

    def test_supervisors_correct_topics_agents_cannot(self):
        callback = self._callback()
        callback.with_user(self.agent_1).register_result(4, feedback="The payout took six weeks to arrive.")
        with self.assertRaises(AccessError):
            callback.with_user(self.agent_1).write({"topic_ids": [Command.set(self.topic["digital"].ids)]})
        callback.with_user(self.supervisor).write({"topic_ids": [Command.set(self.topic["digital"].ids)]})
        self.assertEqual(self._codes(callback), {"digital"})

    def test_topics_in_the_analysis_and_the_month_top_topics(self):
        now = fields.Datetime.now()
        month = now.date().replace(day=1)
        callbacks = self.env["claim.callback"].concat(*(self._callback() for _ in range(4)))
        previous = self._callback()
        callbacks.write({"state": "done", "satisfaction": 2, "completed_date": now})
        previous.write({"state": "done", "satisfaction": 2, "completed_date": now.replace(day=1) - timedelta(days=3),
                        "topic_ids": [Command.set(self.topic["payout_speed"].ids)]})
        callbacks[:3].write({"topic_ids": [Command.set(self.topic["payout_speed"].ids)]})
        callbacks[3].write({"topic_ids": [Command.set(self.topic["digital"].ids)]})
        rows = self.env["claim.callback.topic.analysis"]._read_group(
            [("company_id", "=", self.company.id)], ["topic_id"], ["__count", "satisfaction:avg"]
        )
        self.assertEqual({topic.code: count for topic, count, _avg in rows}, {"payout_speed": 4, "digital": 1})
        kpi = self.env["claim.callback.kpi"].create({"month": month, "company_id": self.company.id})
        top = kpi._get_top_topics()
        self.assertEqual([(t["count"], t["share"], t["previous"], t["change"]) for t in top],
                         [(3, 75.0, 1, 2), (1, 25.0, 0, 1)])
        self.assertIn(self.topic["payout_speed"].name, kpi.trend_summary)
