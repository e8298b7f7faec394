from lxml import etree

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.base.tests.common import BaseCommon

AGENT = "insurance_claim_callback.group_callback_agent"
SUPERVISOR = "insurance_claim_callback.group_callback_supervisor"
MANAGER = "insurance_claim_callback.group_callback_manager"


class CallbackCase(BaseCommon):
    """Two companies, a claims team with two agents and a supervisor, and a manager."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Other Insurer"})
        cls.stage_new = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        cls.stage_done = cls.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done")
        cls.routine = cls.env.ref("insurance_claim_callback.claim_category_routine")
        cls.agent_1 = cls._user("icc_agent_1", AGENT)
        cls.agent_2 = cls._user("icc_agent_2", AGENT)
        cls.agent_other_team = cls._user("icc_agent_3", AGENT)
        cls.supervisor = cls._user("icc_supervisor", SUPERVISOR)
        cls.supervisor.callback_capacity = 0  # a team lead who takes no queue work
        cls.manager = cls._user("icc_manager", MANAGER)
        cls.helpdesk_user = cls._user("icc_helpdesk_user", "helpdesk_mgmt.group_helpdesk_user")
        cls.team = cls.env["helpdesk.ticket.team"].create(
            {
                "name": "Claims",
                "user_id": cls.supervisor.id,
                "user_ids": [Command.set((cls.agent_1 | cls.agent_2 | cls.supervisor | cls.helpdesk_user).ids)],
            }
        )
        cls.other_team = cls.env["helpdesk.ticket.team"].create(
            {"name": "Other claims", "user_ids": [Command.set(cls.agent_other_team.ids)]}
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Chen Mei-Ling", "phone": "+886223456789", "email": "mei@example.com"}
        )
        cls._claim_seq = 0

    @classmethod
    def _activate_languages(cls, *langs):
        """These languages installed, with this addon's translations loaded."""
        for lang in langs:
            cls.env["res.lang"]._activate_lang(lang)
        cls.env["ir.module.module"]._load_module_terms(["insurance_claim_callback"], list(langs), overwrite=True)

    @classmethod
    def _user(cls, login, groups, **kwargs):
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=kwargs.pop("company_id", cls.env.company.id),
            **kwargs,
        )

    @classmethod
    def _brussels_customer(cls, **vals):
        """A second customer, in another time zone than Asia/Taipei."""
        return cls.env["res.partner"].create(
            {"name": "Jan Peeters", "phone": "+32 470 12 34 56", "email": "jan@example.com", "tz": "Europe/Brussels",
             **vals}
        )

    @classmethod
    def _claim(cls, **vals):
        cls._claim_seq += 1
        values = {
            "name": f"Claim {cls._claim_seq}",
            "description": "Settled claim",
            "is_claim": True,
            "claim_number": f"CLM-T-{cls._claim_seq:05d}",
            "claim_category_id": cls.routine.id,
            "claim_amount": 1000,
            "paid_amount": 800,
            "partner_id": cls.customer.id,
            "team_id": cls.team.id,
            "stage_id": cls.stage_new.id,
        }
        values.update(vals)
        return cls.env["helpdesk.ticket"].create(values)

    @classmethod
    def _closed_claims(cls, count, **vals):
        return cls.env["helpdesk.ticket"].concat(
            *(cls._claim(stage_id=cls.stage_done.id, **vals) for _ in range(count))
        )

    def _schedule(self, tickets=None, limit=500):
        """Run the scheduler to the end, restricted to `tickets` when given."""
        domain = [("id", "in", tickets.ids)] if tickets is not None else None
        total = 0
        while True:
            done, remaining = self.env["claim.callback"]._schedule_first_callbacks(limit, domain)
            total += done
            if not remaining:
                return total
            self.assertTrue(done, "the scheduler made no progress while claims remain")


def web_spec(env, model, view_type, user, view_id=False):
    """(specification, dialogs) the web client sends for a view: what the view shows, many2ones with their display
    name, inline x2many lists with their columns; not the fields of the dialogs (inline forms) their rows open, whose
    specifications are `dialogs` by field name."""
    views = env[model].with_user(user).get_views([(view_id, view_type)])
    view, models = views["views"][view_type], views["models"]

    def inside_subview(field_node, node):  # an inline list, or the form of the dialog a row opens
        for parent in field_node.iterancestors():
            if parent is node:
                return False
            if parent.tag in ("list", "form", "kanban"):
                return True
        return False

    def spec(node, model_name):
        result = {}
        for field_node in node.iterfind(".//field"):
            if inside_subview(field_node, node):
                continue
            name = field_node.get("name")
            field = models[model_name]["fields"][name]
            if field["type"] == "many2one":
                result[name] = {"fields": {"display_name": {}}}
            elif field["type"] in ("one2many", "many2many"):
                sub = field_node.find("list")
                result[name] = {"fields": spec(sub, field["relation"]), "limit": 40} if sub is not None else {}
            else:
                result[name] = {}
        return result

    arch = etree.fromstring(view["arch"])
    dialogs = {
        node.get("name"): spec(node.find("form"), models[model]["fields"][node.get("name")]["relation"])
        for node in arch.iterfind(".//field")
        if node.find("form") is not None
    }
    return spec(arch, model), dialogs
