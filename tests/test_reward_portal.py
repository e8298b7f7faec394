from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRewardPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice = new_test_user(cls.env, login="icc_portal_alice", groups="base.group_portal", password="alice-pass-1")
        cls.bob = new_test_user(cls.env, login="icc_portal_bob", groups="base.group_portal", password="bob-pass-1")
        Entry = cls.env["claim.reward.entry"]
        cls.alice_entry = Entry.create(
            {"kind": "adjust", "partner_id": cls.alice.partner_id.id, "points": 42, "reason": "Alice welcome gift"}
        )
        cls.bob_entry = Entry.create(
            {"kind": "adjust", "partner_id": cls.bob.partner_id.id, "points": 7, "reason": "Bob welcome gift"}
        )

    def test_customer_sees_own_balance_and_history_only(self):
        self.authenticate("icc_portal_alice", "alice-pass-1")
        response = self.url_open("/my/rewards")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Alice welcome gift", response.text)
        self.assertIn('o_reward_balance">42<', response.text)
        self.assertNotIn("Bob welcome gift", response.text)

    def test_customer_opens_own_entry(self):
        self.authenticate("icc_portal_alice", "alice-pass-1")
        response = self.url_open(f"/my/rewards/{self.alice_entry.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Alice welcome gift", response.text)

    def test_another_customers_entry_is_not_found(self):
        self.authenticate("icc_portal_alice", "alice-pass-1")
        response = self.url_open(f"/my/rewards/{self.bob_entry.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn("Bob welcome gift", response.text)

    def test_portal_record_rule_hides_other_customers_entries(self):
        Entry = self.env["claim.reward.entry"].with_user(self.alice)
        self.assertEqual(Entry.search([]), self.alice_entry)

    def test_public_visitor_is_sent_to_login(self):
        response = self.url_open("/my/rewards", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
