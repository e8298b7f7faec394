from odoo import api, fields, models


class ClaimSlaRulePreview(models.TransientModel):
    _name = "claim.sla.rule.preview"
    _inherit = ["claim.wizard.access.mixin"]
    _description = "Test an SLA Rule on a Sample Claim"

    rule_id = fields.Many2one("claim.sla.rule", required=True, ondelete="cascade")
    ticket_id = fields.Many2one("helpdesk.ticket", string="Sample Claim", domain=[("is_claim", "=", True)])
    start_date = fields.Datetime(
        string="Clock Starts",
        compute="_compute_start_date",
        store=True,
        readonly=False,
        help="The sample claim's closure; now by default.",
    )
    rule_matches = fields.Boolean(compute="_compute_preview")
    winning_rule_id = fields.Many2one("claim.sla.rule", compute="_compute_preview", string="Rule Applied")
    first_contact_deadline = fields.Datetime(compute="_compute_preview", string="First Contact Due")
    completion_deadline = fields.Datetime(compute="_compute_preview", string="Completion Due")
    resolution_deadline = fields.Datetime(compute="_compute_preview", string="Feedback Issue Due")

    @api.depends("ticket_id")
    def _compute_start_date(self):
        for preview in self:
            preview.start_date = preview.ticket_id.closed_date or preview.start_date or fields.Datetime.now()

    @api.depends("rule_id", "ticket_id", "start_date")
    def _compute_preview(self):
        for preview in self:
            ticket, rule = preview.ticket_id, preview.rule_id
            preview.rule_matches = bool(ticket) and rule._matches(ticket)
            preview.winning_rule_id = self.env["claim.sla.rule"]._match_tickets(ticket)[ticket.id] if ticket else False
            (targets,) = rule._plan_targets(
                [preview.start_date or fields.Datetime.now()], ["first_contact", "completion", "resolution"]
            )
            preview.first_contact_deadline = targets["first_contact"][0]
            preview.completion_deadline = targets["completion"][0]
            preview.resolution_deadline = targets["resolution"][0]
