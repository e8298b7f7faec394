from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .claim_callback import AGENT_GROUP, SUPERVISOR_GROUP

QUEUE_ACTION = "insurance_claim_callback.claim_callback_action_my_queue"


class ResUsers(models.Model):
    _name = "res.users"
    _inherit = ["claim.bounds.mixin", "res.users"]

    callback_capacity = fields.Integer(
        default=40,
        help="How many open callbacks the scheduler may assign to this agent at once. "
        "0 stops new assignments (for example during a leave).",
    )

    # The record rules' teams of a supervisor (security/insurance_claim_callback_security.xml): as ids in the rule, so
    # PostgreSQL reads them on team_id's index; a join on the team's leader inside the rules' OR read every row.
    callback_team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        compute="_compute_callback_team_ids",
        string="Supervised Teams",
        help="The helpdesk teams the user belongs to or leads: the callbacks a supervisor sees.",
    )

    @api.depends("helpdesk_team_ids")
    def _compute_callback_team_ids(self):
        for user in self:
            user.callback_team_ids = self.env["helpdesk.ticket.team"].browse(self._supervised_team_ids(user._origin.id))

    @api.model
    @tools.ormcache("user_id")
    def _supervised_team_ids(self, user_id):
        # cached like the record rules that read it, and cleared with them when a team's leader or members change
        # (helpdesk.ticket.team, write below): no query per request
        self.env["helpdesk.ticket.team"].flush_model(["user_id", "user_ids", "active"])
        return tuple(team_id for (team_id,) in self.env.execute_query(SQL(
            """SELECT id FROM helpdesk_ticket_team
                WHERE user_id = %(user)s
                   OR (active AND id IN (SELECT helpdesk_ticket_team_id FROM helpdesk_ticket_team_res_users_rel
                                          WHERE res_users_id = %(user)s))
                ORDER BY id""",
            user=user_id,
        )))

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "callback_capacity": (0, 1_000_000),
        }

    @api.constrains("callback_capacity")
    def _check_callback_capacity(self):
        if any(user.callback_capacity < 0 for user in self):
            raise ValidationError(self.env._("A callback capacity cannot be negative."))

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._sync_callback_home_action()
        return users

    def write(self, vals):
        result = super().write(vals)
        if "group_ids" in vals:
            self._sync_callback_home_action()
        if "helpdesk_team_ids" in vals:
            self.env["helpdesk.ticket.team"]._forget_supervised_teams()
        return result

    def _sync_callback_home_action(self):
        """Callback agents land on My Queue after login: it becomes the home action of an agent who has
        none, and stops being it for a user who is no longer only an agent (supervisors and managers
        watch their teams rather than one queue)."""
        action = self.env.ref(QUEUE_ACTION, raise_if_not_found=False)
        if not action:  # installing: the data file sets it for the agents once the action exists
            return
        # sudo: the home action follows the group, whoever grants it; a user may not read others' groups
        users = self.sudo()
        agent_group, supervisor_group = self.env.ref(AGENT_GROUP), self.env.ref(SUPERVISOR_GROUP)
        agents = users.filtered(
            lambda user: agent_group in user.all_group_ids and supervisor_group not in user.all_group_ids
        )
        agents.filtered(lambda user: not user.action_id).write({"action_id": action.id})
        (users - agents).filtered(lambda user: user.action_id.id == action.id).write({"action_id": False})

    @api.model
    def _init_callback_home_action(self):
        """At install and update: the existing agents without a home action get My Queue."""
        agent_group = self.env.ref(AGENT_GROUP)
        agents = self.sudo().search([("all_group_ids", "in", agent_group.ids), ("action_id", "=", False)])
        agents._sync_callback_home_action()
