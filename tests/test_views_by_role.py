from odoo.tests import tagged

from .common import CallbackCase


@tagged("post_install", "-at_install")
class TestViewsByRole(CallbackCase):
    """Every window action of the addon opens for each role that may read its model:
    the views load and the records they show can be read with all their fields."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        claims = cls._closed_claims(2)
        cls._schedule(claims)
        first, second = claims.callback_ids.sorted("id")
        first.user_id, second.user_id = cls.agent_1, cls.agent_2
        first.register_attempt("phone", "reached", note="ok")
        first.register_result(2, feedback="Too slow", issues=["Late payment"], suggestions="SMS updates")
        cls.env["claim.callback.kpi"].compute_month(first.completed_date, cls.company)

    def _actions(self):
        data = self.env["ir.model.data"].search(
            [("module", "=", "insurance_claim_callback"), ("model", "=", "ir.actions.act_window")]
        )
        return self.env["ir.actions.act_window"].browse(data.mapped("res_id"))

    def test_each_action_opens_for_each_role_that_may_read_its_model(self):
        opened = 0
        for user in (self.agent_1, self.supervisor, self.manager):
            for action in self._actions():
                Model = self.env[action.res_model].with_user(user)
                if Model._transient or not Model.has_access("read"):
                    continue  # wizards open from a record; other roles do not get the menu
                view_types = [v for v in action.view_mode.split(",") if v != "calendar"]
                with self.subTest(user=user.login, action=action.xml_id):
                    views = Model.get_views([(False, v) for v in view_types])
                    spec = {name: {} for name in views["models"][action.res_model]["fields"]}
                    records = Model.search([], limit=20)
                    self.env.invalidate_all()
                    records.web_read(spec)
                    opened += 1
        self.assertGreater(opened, 10)
