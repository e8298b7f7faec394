from psycopg2 import errors

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import SQL, mute_logger


@tagged("post_install", "-at_install")
class TestRewardEarnOnceConcurrently(TransactionCase):
    """The same event delivered on two real cursors earns once."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent rewarded customer"})
            rule = env["claim.reward.rule"].create({"name": "Conc survey", "event": "survey_completed", "points": 5})
            tickets = env["helpdesk.ticket"].create(
                [
                    {
                        "name": "Concurrent reward claim",
                        "description": "x",
                        "is_claim": True,
                        "claim_number": f"CLM-REWARD-CONC-{i}",
                        "partner_id": partner.id,
                        "stage_id": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
                    }
                    for i in (1, 2)
                ]
            )
            callback, callback_2 = env["claim.callback"]._create_first_callbacks(tickets).sorted("ticket_id")
            self.ids = {
                "partner": partner.id,
                "rule": rule.id,
                "tickets": tickets.ids,
                "callback": callback.id,
                "callback_2": callback_2.id,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            # the ledger refuses deletion through the ORM: test data goes away in SQL
            cr.execute(SQL("DELETE FROM claim_reward_entry WHERE partner_id = %s", self.ids["partner"]))
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["helpdesk.ticket"].browse(self.ids["tickets"]).unlink()
            env["claim.reward.rule"].browse(self.ids["rule"]).unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _earn_entries(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return env["claim.reward.entry"].search_count([("partner_id", "=", self.ids["partner"])])

    def test_duplicate_event_on_a_second_cursor_earns_nothing(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            callback_b = env_b["claim.callback"].browse(self.ids["callback"])
            # B's snapshot predates A's commit: its Python check sees no earn entry
            self.assertFalse(env_b["claim.reward.entry"].search_count([("callback_id", "=", callback_b.id)]))
            earned_a = env_a["claim.reward.rule"]._reward_event(
                "survey_completed", env_a["claim.callback"].browse(self.ids["callback"])
            )
            self.assertEqual(len(earned_a), 1)
            cr_a.commit()
            earned_b = env_b["claim.reward.rule"]._reward_event("survey_completed", callback_b)
            self.assertFalse(earned_b, "the unique index stops the second grant")
            cr_b.commit()
        self.assertEqual(self._earn_entries(), 1)

    def test_concurrent_earns_cannot_both_pass_the_yearly_cap(self):
        with self.registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["claim.reward.rule"].browse(self.ids["rule"]).yearly_cap = 5
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            self.assertEqual(env_b["res.partner"].browse(self.ids["partner"]).reward_points, 0)  # B's snapshot
            earned_a = env_a["claim.reward.rule"]._reward_event(
                "survey_completed", env_a["claim.callback"].browse(self.ids["callback"])
            )
            self.assertEqual(earned_a.points, 5)
            cr_a.commit()
            # B's snapshot still shows nothing earned this year: its earn must wait for A, then fail to be retried
            with mute_logger("odoo.sql_db"), self.assertRaises(errors.SerializationFailure):
                env_b["claim.reward.rule"]._reward_event(
                    "survey_completed", env_b["claim.callback"].browse(self.ids["callback_2"])
                )
            cr_b.rollback()
            retried = env_b["claim.reward.rule"]._reward_event(
                "survey_completed", env_b["claim.callback"].browse(self.ids["callback_2"])
            )
            self.assertFalse(retried, "the retry sees the cap reached")
            cr_b.commit()
        self.assertEqual(self._earn_entries(), 1)

    def test_concurrent_redemptions_cannot_spend_the_same_points(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["claim.reward.entry"].create(
                {"kind": "adjust", "partner_id": self.ids["partner"], "points": 30, "reason": "start"}
            )
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            partner_b = env_b["res.partner"].browse(self.ids["partner"])
            self.assertEqual(partner_b.reward_points, 30)  # B's snapshot: 30 points
            env_a["res.partner"].browse(self.ids["partner"]).reward_redeem(30)
            cr_a.commit()
            # B still sees 30 points, but its debit must wait for A and then fail, to be retried
            with mute_logger("odoo.sql_db"), self.assertRaises(errors.SerializationFailure):
                partner_b.reward_redeem(30)
            cr_b.rollback()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.assertEqual(env["res.partner"].browse(self.ids["partner"]).reward_points, 0)
