"""The appraisal on screen and on paper: this month's rows on demand, the PDF per agent, and the monthly mail
of the PDFs to each team leader."""

import base64

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError

from .claim_callback_agent_month import MANAGER_GROUP
from .locale_format import format_month


class ClaimCallbackAgentMonth(models.Model):
    _inherit = "claim.callback.agent.month"

    month_name = fields.Char(compute="_compute_month_name")
    report_sent_date = fields.Datetime(readonly=True, copy=False, help="When the PDF was mailed to the team leader.")
    # The company's targets, for the colours of the team table (completion: the KPIs' 72 h coverage target).
    target_completion = fields.Float(related="company_id.callback_target_coverage", string="Completion Target (%)")
    target_satisfaction = fields.Float(related="company_id.callback_target_satisfaction",
                                       string="Satisfaction Target (%)")
    qa_threshold = fields.Float(related="company_id.callback_qa_threshold", string="QA Threshold")

    @api.depends("month")
    @api.depends_context("lang")
    def _compute_month_name(self):
        for row in self:
            row.month_name = format_month(self.env, row.month) if row.month else ""

    def action_compute_this_month(self):
        """Managers: compute the current month of the current company now (a list header button)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only callback managers can compute the agents' appraisals."))
        company = self.env.company
        today = self.env["claim.callback.kpi"]._company_today(company)
        self.compute_month(today, company)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    @api.model
    def _cron_this_month(self):
        """Every night: this month so far, for every company (the agents' scorecards)."""
        Kpi = self.env["claim.callback.kpi"]
        for company in self.env["res.company"].sudo().search([]):  # a few companies; pylint: disable=no-search-all
            self.sudo().compute_month(Kpi._company_today(company), company)  # sudo: the cron computes every company
            self.env["ir.cron"]._commit_progress(1)

    def _get_figure_lines(self):
        """One dict per figure of the PDF: name, display ("n/a" when undefined), target display, ok (None: no
        target or n/a)."""
        self.ensure_one()
        company = self.company_id
        na = self.env._("n/a")
        specs = [
            ("completion_rate", self.env._("Completion rate"), company.callback_target_coverage),
            ("on_time_rate", self.env._("On-time rate"), None),
            ("first_contact_rate", self.env._("First contact rate"), None),
            ("satisfaction_rate", self.env._("Satisfaction rate"), company.callback_target_satisfaction),
            ("qa_score", self.env._("QA score"), company.callback_qa_threshold),
            ("score", self.env._("Score"), None),
        ]
        lines = []
        for field, name, target in specs:
            defined = self._is_defined(field)
            value = self[field] if defined else None
            lines.append({
                "name": name,
                "display": na if value is None else f"{value:.1f}" if field in ("qa_score", "score")
                else f"{value:.1f} %",
                "target_display": "" if target is None else f"≥ {target:.1f}",
                "ok": None if value is None or target is None else value >= target,
            })
        avg = self.satisfaction_avg if self._is_defined("satisfaction_avg") else None
        per = self.attempts_per_callback if self._is_defined("attempts_per_callback") else None
        lines += [
            {"name": self.env._("Average satisfaction (1-5)"), "display": na if avg is None else f"{avg:.2f}",
             "target_display": "", "ok": None},
            {"name": self.env._("Attempts per callback"), "display": na if per is None else f"{per:.2f}",
             "target_display": "", "ok": None},
        ]
        return lines

    @api.model
    def _team_leaders(self, rows):
        """{leader: rows of the agents of their teams} for rows of one company (a leader's own row excluded)."""
        teams = self.env["helpdesk.ticket.team"].sudo().search([
            ("user_id", "!=", False), ("user_ids", "in", rows.user_id.ids),
            ("company_id", "in", [*rows.company_id.ids, False]),
        ])
        leaders = {}
        for team in teams:
            team_rows = rows.filtered(lambda r, team=team: r.user_id in team.user_ids and r.user_id != team.user_id)
            if team_rows:
                leaders[team.user_id] = leaders.get(team.user_id, self.browse()) | team_rows
        return leaders

    def _send_to_team_leaders(self):
        """One mail per team leader with the PDF of each of their agents' rows (in the agent's language);
        rows already sent are skipped."""
        rows = self.filtered(lambda r: not r.report_sent_date)
        report = self.env.ref("insurance_claim_callback.claim_callback_agent_month_report")
        pdfs = {}
        for leader, leader_rows in self._team_leaders(rows).items():
            if not leader.active or not leader.email:
                continue
            attachments = []
            for row in leader_rows:
                if row not in pdfs:
                    pdfs[row] = report._render_qweb_pdf(report.report_name, row.ids)[0]
                attachments.append(Command.create({
                    "name": f"appraisal-{row.month:%Y-%m}-{row.user_id.login}.pdf",
                    "datas": base64.b64encode(pdfs[row]),
                    "mimetype": "application/pdf",
                    "res_model": self._name,
                    "res_id": row.id,
                }))
            env = leader_rows.with_context(lang=leader.lang).env
            label = format_month(env, leader_rows[0].month)
            company = leader_rows[0].company_id
            # sudo: the cron's user writes the outgoing mail of the team leaders it notifies.
            self.env["mail.mail"].sudo().create({
                "subject": env._("Agent appraisals %(month)s – %(company)s", month=label, company=company.name),
                "body_html": env._("<p>The appraisals of your team's agents for %(month)s are attached.</p>",
                                   month=label),
                "email_from": company.email_formatted or self.env.user.email_formatted,
                "recipient_ids": [Command.set(leader.partner_id.ids)],
                "auto_delete": False,
                "attachment_ids": attachments,
            })
        rows.write({"report_sent_date": fields.Datetime.now()})


class ClaimCallbackKpi(models.Model):
    _inherit = "claim.callback.kpi"

    @api.model
    def _cron_monthly_kpi(self):
        """The KPI snapshots, then last month's appraisals of every company, mailed to the team leaders."""
        result = super()._cron_monthly_kpi()
        AgentMonth = self.env["claim.callback.agent.month"].sudo()  # sudo: the cron computes every company
        for company in self.env["res.company"].sudo().search([]):  # a few companies; pylint: disable=no-search-all
            last_month = self._company_today(company).replace(day=1) - relativedelta(months=1)
            AgentMonth.compute_month(last_month, company)._send_to_team_leaders()
            self.env["ir.cron"]._commit_progress(1)
        return result

