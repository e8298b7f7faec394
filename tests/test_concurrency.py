from unittest.mock import patch

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged


class CommittedClaimsCase(TransactionCase):
    """Three closed claims committed, for two real cursors to work on; removed after each test."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            partner = env["res.partner"].create({"name": "Concurrent customer"})
            tickets = env["helpdesk.ticket"].create(
                [
                    {
                        "name": f"Concurrent claim {i}",
                        "description": "x",
                        "is_claim": True,
                        "claim_number": f"CLM-CONC-{i}",
                        "partner_id": partner.id,
                        "stage_id": env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
                    }
                    for i in range(3)
                ]
            )
            self.ticket_ids, partner_id = tickets.ids, partner.id
        self.addCleanup(self._cleanup, partner_id)
        self.domain = [("id", "in", self.ticket_ids)]

    def _cleanup(self, partner_id):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["helpdesk.ticket"].browse(self.ticket_ids).unlink()
            env["res.partner"].browse(partner_id).unlink()

    def _callback_count(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            groups = env["claim.callback"]._read_group([("ticket_id", "in", self.ticket_ids)], ["ticket_id"], ["__count"])
            return {ticket.id: count for ticket, count in groups}


@tagged("post_install", "-at_install")
class TestConcurrentScheduling(CommittedClaimsCase):
    """Two scheduler runs on two real cursors, on committed claims."""

    def test_second_run_skips_locked_claims(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            env_b["helpdesk.ticket"].search_count(self.domain)  # B's snapshot predates A's commit
            done_a, _ = env_a["claim.callback"]._schedule_first_callbacks(10, self.domain)
            done_b, _ = env_b["claim.callback"]._schedule_first_callbacks(10, self.domain)
            self.assertEqual((done_a, done_b), (3, 0), "B must skip the rows A holds")
            cr_a.commit()
            # B still sees the claims as waiting, but may not schedule them again
            done_b, remaining_b = env_b["claim.callback"]._schedule_first_callbacks(10, self.domain)
            self.assertEqual(done_b, 0)
            self.assertEqual(remaining_b, 3, "B hands the claims to its next transaction")
            cr_b.rollback()
            self.assertEqual(env_b["claim.callback"]._schedule_first_callbacks(10, self.domain), (0, 0))
        self.assertEqual(self._callback_count(), dict.fromkeys(self.ticket_ids, 1))

    def test_second_run_hits_the_unique_index_and_moves_on(self):
        with self.registry.cursor() as cr_a, self.registry.cursor() as cr_b:
            env_a = api.Environment(cr_a, SUPERUSER_ID, {})
            env_b = api.Environment(cr_b, SUPERUSER_ID, {})
            tickets_b = env_b["helpdesk.ticket"].browse(self.ticket_ids)
            tickets_b.mapped("closed_date")  # B read the claims before A committed
            env_a["claim.callback"]._create_first_callbacks(env_a["helpdesk.ticket"].browse(self.ticket_ids[:2]))
            cr_a.commit()
            created = env_b["claim.callback"]._create_first_callbacks(tickets_b)
            self.assertEqual(created.ticket_id.ids, self.ticket_ids[2:])
            cr_b.commit()
        self.assertEqual(self._callback_count(), dict.fromkeys(self.ticket_ids, 1))


@tagged("post_install", "-at_install")
class TestConcurrentChanceRefresh(CommittedClaimsCase):
    """The hourly Call Now chance cron beside an agent writing one of the callbacks it refreshes."""

    def test_chance_refresh_skips_the_callback_an_agent_is_writing(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["claim.callback"]._schedule_first_callbacks(10, self.domain)
            callbacks = env["claim.callback"].search([("ticket_id", "in", self.ticket_ids)], order="id")
            callbacks.write({"answer_chance_now": 99})  # every chance changes in the refresh
            callback_ids = callbacks.ids
        with self.registry.cursor() as cr_agent, self.registry.cursor() as cr_cron:
            env_agent = api.Environment(cr_agent, SUPERUSER_ID, {})
            env_agent["claim.callback"].browse(callback_ids[0]).write({"priority": "2"})
            env_agent.flush_all()  # the agent's transaction holds the row
            cr_cron.execute("SET LOCAL lock_timeout = '2s'")  # waiting for the agent would fail the cron
            env_cron = api.Environment(cr_cron, SUPERUSER_ID, {})
            with patch.object(type(env_cron["ir.cron"]), "_commit_progress", lambda self, *a, **k: 60):
                env_cron["claim.callback"]._cron_refresh_answer_chance()
                env_cron.flush_all()
            cr_cron.commit()
            cr_agent.commit()
        with self.registry.cursor() as cr:
            chances = api.Environment(cr, SUPERUSER_ID, {})["claim.callback"].browse(callback_ids).mapped("answer_chance_now")
        self.assertEqual(chances[0], 99, "the callback being written keeps its chance until the next run")
        self.assertNotIn(99, chances[1:], "the others are refreshed")
