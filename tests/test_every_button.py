import unittest

from odoo.modules.module import get_manifest
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools.convert import convert_file

from ..lib import sentiment

MODULE = "insurance_claim_callback"


@tagged("post_install", "-at_install")
class TestEveryButton(HttpCase):
    """Nothing shown fails: for the agent (working in zh_TW, as in the demo), the supervisor and the manager,
    every menu of the addon opens, and every header and smart button of the first record of each list can be
    clicked without an error (static/tests/tours/every_button_tours.js). On the demo data, so that the lists
    have records: a new menu, view or button is covered without anyone adding it here."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["res.lang"]._activate_lang("zh_TW")  # as tools/run installs it: the demo agent then works in zh_TW
        env["ir.module.module"]._load_module_terms([MODULE], ["zh_TW"], overwrite=True)
        for filename in get_manifest(MODULE)["demo"]:
            convert_file(env, MODULE, filename, {}, mode="init")
        env["claim.risk.warning"]._check_risks()  # the hourly check on the demo history: warnings to open
        cls.agent = env.ref(f"{MODULE}.user_callback_agent_1_demo")
        cls.supervisor = env.ref(f"{MODULE}.user_callback_supervisor_demo")
        cls.manager = new_test_user(env, login="icc_every_button_manager", groups=f"{MODULE}.group_callback_manager")
        (cls.agent | cls.supervisor | cls.manager).odoobot_state = "disabled"  # no OdooBot chat over the menus
        sentiment.analyze(["Quick help, thank you."])  # trained once per process: not inside the browser's wait

    def _crawl(self, user):
        try:
            self.start_tour("/odoo", "insurance_claim_callback_every_button", login=user.login, timeout=1200)
        except unittest.SkipTest as skipped:  # no Chromium: the guard did not run, which is no pass
            self.fail(f"the browser did not run: {skipped}")

    def test_the_demo_agent_works_in_traditional_chinese(self):
        self.assertEqual(self.agent.lang, "zh_TW")

    def test_agent_clicks_every_button_without_an_error(self):
        self._crawl(self.agent)

    def test_supervisor_clicks_every_button_without_an_error(self):
        self._crawl(self.supervisor)

    def test_manager_clicks_every_button_without_an_error(self):
        self._crawl(self.manager)
