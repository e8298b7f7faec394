from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestScript(CallbackCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Script = cls.env["claim.callback.script"]
        cls.fallback = cls.env.ref("insurance_claim_callback.claim_callback_script_default")
        cls.major = cls.env.ref("insurance_claim_callback.claim_category_major")
        cls.env["res.lang"]._activate_lang("zh_TW")
        cls.vip = cls.env["res.partner.category"].create({"name": "VIP"})

    def _script(self, **vals):
        return self.Script.create({"name": "S", "body": "Hi {{customer_name}}", **vals})

    def test_most_specific_script_wins(self):
        routine = self._script(claim_category_id=self.routine.id)
        vip = [(6, 0, self.vip.ids)]
        routine_vip = self._script(claim_category_id=self.routine.id, partner_category_ids=vip)
        routine_vip_zh = self._script(claim_category_id=self.routine.id, partner_category_ids=vip, lang="zh_TW")
        self._script(lang="zh_TW", channel="phone")  # two weak criteria lose to the category
        self._script(claim_category_id=self.major.id)  # does not match
        claim = self._claim()
        self.assertEqual(self.Script._find_for(claim), routine)
        self.customer.category_id = self.vip
        self.assertEqual(self.Script._find_for(claim), routine_vip)
        self.customer.lang = "zh_TW"
        self.assertEqual(self.Script._find_for(claim), routine_vip_zh)
        self.assertEqual(self.Script._find_for(claim, channel="sms"), routine_vip_zh)

    def test_fallback_script_when_nothing_matches(self):
        self._script(claim_category_id=self.major.id)
        self._script(partner_category_ids=[(6, 0, self.vip.ids)])
        self._script(channel="sms")
        claim = self._claim()
        self.assertEqual(self.Script._find_for(claim, channel="phone"), self.fallback)
        claim_cb = self._closed_claims(1)
        self._schedule(claim_cb)
        self.assertEqual(claim_cb.callback_ids.script_id, self.fallback)
        self.assertIn(claim_cb.claim_number, claim_cb.callback_ids.script_body)

    def test_rendering_escapes_markup_and_empties_missing_values(self):
        evil = self.env["res.partner"].create({"name": "<script>alert(1)</script> Lin"})
        claim = self._claim(partner_id=evil.id, policy_number=False)
        script = self._script(
            body="Dear {{customer_name}}, policy [{{policy_number}}] {{unknown}} {{claim_number}}\nBye"
        )
        html = str(script._render(self.Script._get_placeholder_values(claim, self.agent_1)))
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; Lin", html)
        self.assertNotIn("<script>", html)
        self.assertIn("policy [] ", html)
        self.assertIn(claim.claim_number, html)
        self.assertNotIn("{{", html)
        self.assertIn("<br/>Bye", html)
        # No claim at all (an empty preview) renders without error.
        empty = self.Script._get_placeholder_values(self.env["helpdesk.ticket"], self.env["res.users"])
        self.assertIn("Dear ,", str(script._render(empty)))

    def test_script_rendered_in_customer_language(self):
        self.fallback.update_field_translations(
            "body", {"zh_TW": "{{customer_name}} 您好，您的理賠 {{claim_number}} 已結案。"}
        )
        self.customer.lang = "zh_TW"
        claim = self._closed_claims(1)
        self._schedule(claim)
        callback = claim.callback_ids
        self.assertIn("您好", callback.script_body)
        self.assertIn("Chen Mei-Ling", callback.script_body)

    def test_manager_edits_script_with_preview_on_sample_claim(self):
        claim = self._claim(claim_amount=2000, paid_amount=1234)
        form = Form(self.Script.with_user(self.manager))
        form.name = "Routine phone"
        form.body = "Claim {{claim_number}} for {{customer_name}}: {{paid_amount}}"
        form.preview_ticket_id = claim
        self.assertIn(claim.claim_number, form.preview_body)
        self.assertIn("Chen Mei-Ling", form.preview_body)
        self.assertIn("1,234.00", form.preview_body)
        script = form.save()
        self.assertEqual(script.preview_ticket_id, claim)

    def test_agent_reads_scripts_but_cannot_edit_them(self):
        script = self.fallback.with_user(self.agent_1)
        self.assertTrue(script.body)
        with self.assertRaises(AccessError):
            script.body = "Changed"
        company_b_script = self._script(company_id=self.company_b.id)
        self.assertNotIn(company_b_script, self.Script.with_user(self.agent_1).search([]))

    def test_each_claim_of_a_batch_gets_its_own_script(self):
        major_script = self._script(claim_category_id=self.major.id)
        routine_claims = self._closed_claims(3)
        major_claims = self._closed_claims(2, claim_category_id=self.major.id)
        self._schedule(routine_claims | major_claims)
        self.assertEqual(routine_claims.callback_ids.script_id, self.fallback)
        self.assertEqual(major_claims.callback_ids.script_id, major_script)
