from datetime import datetime

from freezegun import freeze_time
from psycopg2.errors import UniqueViolation

from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestClaim(CallbackCase):
    def test_seeded_categories(self):
        codes = {
            xmlid: self.env.ref(f"insurance_claim_callback.claim_category_{xmlid}").code
            for xmlid in ("major", "routine", "special")
        }
        self.assertEqual(codes, {"major": "major", "routine": "routine", "special": "special"})

    def test_claim_number_unique_per_company(self):
        self._claim(claim_number="CLM-DUP")
        with mute_logger("odoo.sql_db"), self.assertRaises(UniqueViolation), self.cr.savepoint():
            self._claim(claim_number="CLM-DUP")
        # the same number is free in another company
        other_team = self.env["helpdesk.ticket.team"].create({"name": "B", "company_id": self.company_b.id})
        claim_b = self._claim(claim_number="CLM-DUP", team_id=other_team.id)
        self.assertEqual(claim_b.company_id, self.company_b)

    def test_negative_amounts_rejected(self):
        with self.assertRaisesRegex(ValidationError, "Claimed Amount must be a number between 0 and"):
            self._claim(claim_amount=-1, paid_amount=0)
        with self.assertRaisesRegex(ValidationError, "Paid Amount must be a number between 0 and"):
            self._claim(claim_amount=10, paid_amount=-5)

    def test_paid_above_claimed_rejected_and_nothing_written(self):
        claim = self._claim(claim_amount=1000, paid_amount=800)
        with self.assertRaisesRegex(ValidationError, "exceeds the claimed amount"), self.cr.savepoint():
            claim.write({"paid_amount": 1200})
        claim.invalidate_recordset()
        self.assertEqual(claim.paid_amount, 800)

    def test_unknown_category_rejected(self):
        with self.assertRaisesRegex(ValidationError, "Unknown claim category"):
            self._claim(claim_category_id=999999)

    def test_claim_needs_a_number(self):
        with self.assertRaisesRegex(ValidationError, "needs a claim number"):
            self._claim(claim_number=False)

    def test_closing_claim_without_customer_is_refused(self):
        claim = self._claim(partner_id=False)
        with self.assertRaisesRegex(ValidationError, "without a customer"), self.cr.savepoint():
            claim.write({"stage_id": self.stage_done.id})
        claim.invalidate_recordset()
        self.assertEqual(claim.stage_id, self.stage_new)
        self.assertFalse(claim.callback_ids)

    def test_non_claim_tickets_are_left_alone(self):
        """A plain ticket closes without claim data and never gets a callback."""
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Printer jam", "description": "x", "team_id": self.team.id, "stage_id": self.stage_new.id}
        )
        ticket.write({"stage_id": self.stage_done.id})
        self._schedule()
        self.assertFalse(ticket.callback_ids)
        self.assertEqual(ticket.callback_status, "none")
        self.assertFalse(ticket.claim_number)

    def test_closure_time_starts_the_sla(self):
        """Deadlines run from the moment the claim entered the closed stage, not from its creation."""
        with freeze_time("2026-03-02 08:00:00"):
            claim = self._claim()
        with freeze_time("2026-03-05 17:30:00"):
            claim.write({"stage_id": self.stage_done.id})
        with freeze_time("2026-03-05 17:35:00"):
            self._schedule(claim)
        callback = claim.callback_ids
        self.assertEqual(claim.closed_date, datetime(2026, 3, 5, 17, 30))
        self.assertEqual(callback.sla_start_date, datetime(2026, 3, 5, 17, 30))
        self.assertEqual(callback.sla_first_contact_deadline, datetime(2026, 3, 6, 17, 30))
        self.assertEqual(callback.sla_completion_deadline, datetime(2026, 3, 8, 17, 30))
