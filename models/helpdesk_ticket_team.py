from odoo import api, models


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    # The record rules read a user's teams once and cache them (res.users.callback_team_ids): who belongs to or
    # leads a team changes what they see at once.
    @api.model_create_multi
    def create(self, vals_list):
        teams = super().create(vals_list)
        self._forget_supervised_teams()
        return teams

    def write(self, vals):
        result = super().write(vals)
        if {"user_id", "user_ids", "active"} & set(vals):
            self._forget_supervised_teams()
        return result

    def unlink(self):
        result = super().unlink()
        self._forget_supervised_teams()
        return result

    def _forget_supervised_teams(self):
        self.env["res.users"].invalidate_model(["callback_team_ids"])
        self.env.registry.clear_cache()
