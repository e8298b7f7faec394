import re

import pytz
from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, html2plaintext

from .claim_bounds_mixin import SEQUENCE
from .locale_format import format_long_date

PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# Criteria of a script, in order of weight: a script matching on more of them is more specific.
CRITERIA = ("claim_category_id", "partner_category_ids", "channel", "lang")
# What a script keeps while a running experiment tests it: what customers hear, which callbacks it serves.
FROZEN_IN_EXPERIMENT = frozenset({"body", "question_ids", "active", "company_id", *CRITERIA})


class ClaimCallbackScript(models.Model):
    _name = "claim.callback.script"
    _inherit = ["claim.bounds.mixin"]
    _description = "Callback Script"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10, help="Breaks ties between equally specific scripts.")
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: shared by all companies.")
    claim_category_id = fields.Many2one("claim.category", index="btree_not_null", check_company=True)
    partner_category_ids = fields.Many2many(
        "res.partner.category", string="Customer Segments", help="The customer has at least one of these tags."
    )
    channel = fields.Selection(selection="_get_channel_selection")
    lang = fields.Selection("_get_lang_selection", string="Language")
    body = fields.Text(
        required=True,
        translate=True,
        help="What the agent says. Placeholders: {{customer_name}}, {{claim_number}}, "
        "{{policy_number}}, {{paid_amount}}, {{closed_date}}, {{agent_name}}, {{company_name}}.",
    )
    question_ids = fields.One2many("claim.callback.script.question", "script_id", string="Questions", copy=True)
    preview_ticket_id = fields.Many2one(
        "helpdesk.ticket", string="Sample Claim", domain=[("is_claim", "=", True)], copy=False
    )
    preview_body = fields.Html(compute="_compute_preview_body", sanitize=False, string="Preview")

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
        }

    def write(self, vals):
        if FROZEN_IN_EXPERIMENT & set(vals):
            self._check_not_in_experiment()
        return super().write(vals)

    def _check_not_in_experiment(self):
        """Users do not change a script that a running experiment is testing (the system may: upgrades)."""
        if self.env.su:
            return
        # sudo: whoever edits the script, the experiments of its company count
        variant = self.env["claim.callback.script.variant"].sudo().search(
            [("script_id", "in", self.ids), ("experiment_id.state", "=", "running")], limit=1
        )
        if variant:
            raise UserError(
                self.env._(
                    "%(script)s is being tested by the running experiment %(experiment)s: its text, questions and "
                    "criteria stay as they are until the experiment ends (copy it to prepare a new version).",
                    script=variant.script_id.name,
                    experiment=variant.experiment_id.name,
                )
            )

    @api.model
    def _get_channel_selection(self):
        return self.env["claim.callback.attempt"]._fields["channel"].selection

    @api.model
    def _get_lang_selection(self):
        return self.env["res.lang"].get_installed()

    @api.depends("body", "preview_ticket_id")
    @api.depends_context("lang")
    def _compute_preview_body(self):
        for script in self:
            ticket = script.preview_ticket_id
            values = self._get_placeholder_values(ticket, ticket.callback_ids[-1:].user_id or self.env.user)
            script.preview_body = script._render(values)

    # ------------------------------------------------------------------
    # Choice and rendering
    # ------------------------------------------------------------------

    @api.model
    def _find_for(self, ticket, channel="phone", lang=None):
        """The most specific active script matching the claim, or the fallback (no criteria)."""
        partner = ticket.partner_id
        lang = lang or partner.lang
        candidates = self.search(
            [
                ("company_id", "in", [False, ticket.company_id.id]),
                ("claim_category_id", "in", [False, ticket.claim_category_id.id]),
                ("channel", "in", [False, channel]),
                ("lang", "in", [False, lang]),
            ]
        )
        candidates = candidates.filtered(
            lambda s: not s.partner_category_ids or s.partner_category_ids & partner.category_id
        )
        if not candidates:
            return self.browse()
        return max(candidates, key=lambda s: (s._specificity(), s.company_id.id or 0, -s.sequence, -s.id))

    @api.model
    def _find_for_tickets(self, tickets, channel="phone"):
        """{ticket id: the script `_find_for` gives it}, for many claims in one query of scripts."""
        candidates = self.search(
            [
                ("company_id", "in", [False, *tickets.company_id.ids]),
                ("channel", "in", [False, channel]),
            ]
        )
        ranked = sorted(candidates, key=lambda s: (s._specificity(), s.company_id.id or 0, -s.sequence, -s.id),
                        reverse=True)
        found = {}
        for ticket in tickets:
            partner = ticket.partner_id
            found[ticket.id] = next(
                (
                    script for script in ranked
                    if script.company_id in (ticket.company_id, self.env["res.company"])
                    and script.claim_category_id in (ticket.claim_category_id, self.env["claim.category"])
                    and script.lang in (False, partner.lang)
                    and (not script.partner_category_ids or script.partner_category_ids & partner.category_id)
                ),
                self.browse(),
            )
        return found

    def _segment_key(self):
        """The criteria the script is chosen by, but the company: scripts with the same key
        compete for the same callbacks."""
        self.ensure_one()
        return (self.claim_category_id.id, frozenset(self.partner_category_ids.ids), self.channel, self.lang)

    def _specificity(self):
        """Bit weights so that the category outweighs everything below it, and so on."""
        self.ensure_one()
        return sum(1 << (len(CRITERIA) - i) for i, name in enumerate(CRITERIA) if self[name])

    @api.model
    def _get_placeholder_values(self, ticket, agent):
        """In the customer's language (the environment's), amounts with the currency, the date alone."""
        company = ticket.company_id or self.env.company
        lang = self.env.lang or ticket.partner_id.lang
        closed = ticket.closed_date
        if closed:
            tz = pytz.timezone(ticket.partner_id.tz or company.partner_id.tz or "UTC")
            closed = pytz.utc.localize(closed).astimezone(tz).date()
        return {
            "customer_name": ticket.partner_id.name,
            "claim_number": ticket.claim_number,
            "policy_number": ticket.policy_number,
            "paid_amount": ticket and format_amount(self.env, ticket.paid_amount, company.currency_id, lang_code=lang),
            "closed_date": closed and format_long_date(self.env, closed, lang),
            "agent_name": agent.name,
            "company_name": company.name,
        }

    def _render(self, values):
        """The body as safe HTML: values escaped, unknown or missing placeholders empty."""
        self.ensure_one()

        def substitute(match):
            return str(escape(values.get(match.group(1)) or ""))

        text = str(escape(self.body or ""))
        return Markup(PLACEHOLDER.sub(substitute, text).replace("\n", "<br/>"))

    def _render_for_call(self, ticket, agent, customer_lang, agent_lang):
        """What the agent reads aloud: the body and the questions in the customer's language, each followed by
        a hint line in the agent's language when it is another one."""
        self.ensure_one()
        spoken = self.with_context(lang=customer_lang)
        hint = self.with_context(lang=agent_lang) if agent_lang and agent_lang != customer_lang else None
        html = Markup("<p>%s</p>") % spoken._render(spoken._get_placeholder_values(ticket, agent))
        if hint:
            html += Markup('<p class="text-muted small fst-italic">%s</p>') % hint._render(
                hint._get_placeholder_values(ticket, agent)
            )
        questions = Markup()
        for question, hint_question in zip(spoken.question_ids, (hint or spoken).question_ids, strict=True):
            questions += question._render_for_call(hint_question if hint else None)
        if questions:
            html += Markup("<ol>%s</ol>") % questions
        return html

    def _render_text(self, values):
        return html2plaintext(self._render(values))
