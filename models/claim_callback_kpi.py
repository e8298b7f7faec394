import base64
import logging
from datetime import date, datetime, time

import pytz
from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL

from .input_guard import YEAR_MAX, YEAR_MIN
from .locale_format import format_month

_logger = logging.getLogger(__name__)

# (percentage field, denominator field, company target field, True if higher is better)
KPI_SPECS = [
    ("coverage_72h", "contactable_claims", "callback_target_coverage", True),
    ("first_contact_24h", "contactable_claims", None, True),
    ("satisfaction_rate", "rated_callbacks", "callback_target_satisfaction", True),
    ("issue_resolution_48h", "issues_opened", "callback_target_resolution", True),
    ("complaint_rate_change", "complaint_rate_baseline", "callback_target_complaint_change", False),
    ("repeat_claim_rate_change", "repeat_claim_rate_baseline", "callback_target_repeat_change", False),
]
BUDGET_THRESHOLDS = (100, 80)


class ClaimCallbackKpi(models.Model):
    """Monthly KPI snapshot of the callback programme, per company (README: Monthly KPI reports, Stable interface).

    A KPI whose denominator is 0 is NULL in the table (for SQL readers such as a data
    warehouse, and so that averages over months skip it) and shown as "n/a"; the ORM reads
    a NULL float as 0.0, so its denominator field (kept next to it) tells the two apart.
    """

    _name = "claim.callback.kpi"
    _description = "Monthly Callback KPIs"
    _order = "month desc, company_id"
    _rec_name = "month"

    month = fields.Date(required=True, readonly=True, help="First day of the month.")
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    claims_closed = fields.Integer(readonly=True)
    contactable_claims = fields.Integer(readonly=True, help="Claims closed in the month that may be contacted.")
    covered_claims = fields.Integer(readonly=True)
    first_contact_claims = fields.Integer(readonly=True)
    rated_callbacks = fields.Integer(readonly=True)
    satisfied_callbacks = fields.Integer(readonly=True)
    issues_opened = fields.Integer(readonly=True)
    issues_resolved_48h = fields.Integer(readonly=True)
    complaints = fields.Integer(readonly=True)
    repeat_claims = fields.Integer(readonly=True)
    coverage_72h = fields.Float(string="Coverage 72 h (%)", readonly=True, aggregator="avg")
    first_contact_24h = fields.Float(string="First Contact 24 h (%)", readonly=True, aggregator="avg")
    satisfaction_rate = fields.Float(string="Satisfaction Rate (%)", readonly=True, aggregator="avg")
    issue_resolution_48h = fields.Float(string="Issue Resolution 48 h (%)", readonly=True, aggregator="avg")
    complaint_rate = fields.Float(string="Complaints per 100 Claims", readonly=True, aggregator="avg")
    complaint_rate_baseline = fields.Float(string="Baseline Complaints per 100 Claims", readonly=True)
    complaint_rate_change = fields.Float(string="Complaint Rate Change (%)", readonly=True, aggregator="avg")
    repeat_claim_rate = fields.Float(string="Repeat-Claim Rate (%)", readonly=True, aggregator="avg")
    repeat_claim_rate_baseline = fields.Float(string="Baseline Repeat-Claim Rate (%)", readonly=True)
    repeat_claim_rate_change = fields.Float(string="Repeat-Claim Rate Change (%)", readonly=True, aggregator="avg")
    cost_total = fields.Monetary(currency_field="currency_id", readonly=True)
    report_sent_date = fields.Datetime(readonly=True, copy=False)

    _month_company_uniq = models.Constraint(
        "UNIQUE(month, company_id)", "There is one KPI snapshot per month and company."
    )

    @api.depends("month", "company_id")
    def _compute_display_name(self):
        for kpi in self:
            kpi.display_name = f"{kpi._month_label()} – {kpi.company_id.name}"

    # ------------------------------------------------------------------
    # Stable interface
    # ------------------------------------------------------------------

    @api.model
    def compute_month(self, month, company):
        """Compute the KPIs of the month of `month` for `company`; return the one row, created or updated."""
        first, company = self._month_and_company(month, company)
        if not self.env.su and not self.env.user.has_group("insurance_claim_callback.group_callback_manager"):
            raise AccessError(self.env._("Only callback managers can compute the KPIs."))
        vals = self._compute_values(first, company)
        # sudo: the rows are written only here (and read-only for every user), from the computed values
        kpi = self.sudo().search([("month", "=", first), ("company_id", "=", company.id)])
        if kpi:
            kpi.write(vals)
        else:
            kpi = self.sudo().create({"month": first, "company_id": company.id, **vals})
        kpi._store_undefined_as_null()
        return kpi.with_env(self.env)

    @api.model
    def _month_and_company(self, month, company):
        """(first day of the month, the company) from what a caller gives: any date of the month as a date
        or a text, and a company record or id of the user's companies."""
        try:
            month = fields.Date.to_date(month) if isinstance(month, (str, date)) else None
        except ValueError:
            month = None
        if isinstance(company, int) and not isinstance(company, bool):
            company = self.env["res.company"].browse(company)
        if not month or not YEAR_MIN <= month.year <= YEAR_MAX or not isinstance(company, models.BaseModel) or company._name != "res.company" \
                or len(company) != 1:
            raise ValidationError(self.env._("Give a date of the month (YYYY-MM-DD) and one company."))
        if company not in self.env.user.company_ids and not self.env.su:
            raise AccessError(self.env._("You cannot read or compute the KPIs of this company."))
        return month.replace(day=1), company

    def _store_undefined_as_null(self):
        """The ORM writes a float as 0.0: the KPIs without a denominator become NULL."""
        self.ensure_one()
        undefined = [field for field, denominator, *_ in KPI_SPECS if not self._is_defined(field, denominator)]
        if not undefined:
            return
        self.flush_recordset(undefined)
        assignments = SQL(", ").join(SQL("%s = NULL", SQL.identifier(field)) for field in undefined)
        self.env.cr.execute(SQL("UPDATE claim_callback_kpi SET %s WHERE id = %s", assignments, self.id))
        self.invalidate_recordset(undefined)

    # ------------------------------------------------------------------
    # Computation (SQL: the KPIs compare columns of joined rows)
    # ------------------------------------------------------------------

    @api.model
    def _period_bounds(self, first_day, last_day, company):
        """Naive UTC datetimes [start, end) of local days first_day..last_day in the company's time zone."""
        tz = pytz.timezone(company.partner_id.tz or "UTC")

        def to_utc(day):
            return tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)

        return to_utc(first_day), to_utc(last_day + relativedelta(days=1))

    @api.model
    def _month_bounds(self, first, company):
        return self._period_bounds(first, first + relativedelta(months=1, days=-1), company)

    @api.model
    def _compute_values(self, first, company):
        self.env.flush_all()
        # A few large aggregates: JIT compilation costs more than it saves here (up to seconds).
        self.env.cr.execute("SET LOCAL jit = off")
        try:
            return self._compute_values_sql(first, company)
        finally:
            self.env.cr.execute("SET LOCAL jit TO DEFAULT")

    @api.model
    def _compute_values_sql(self, first, company):
        start, end = self._month_bounds(first, company)
        claims = self._claim_counts(company, start, end)
        callbacks = self._satisfaction_counts(company, start, end)
        issues = self._issue_counts(company, start, end)
        vals = {**claims, **callbacks, **issues, "cost_total": self._cost(company, start, end)}
        vals["coverage_72h"] = _pct(vals["covered_claims"], vals["contactable_claims"])
        vals["first_contact_24h"] = _pct(vals["first_contact_claims"], vals["contactable_claims"])
        vals["satisfaction_rate"] = _pct(vals["satisfied_callbacks"], vals["rated_callbacks"])
        vals["issue_resolution_48h"] = _pct(vals["issues_resolved_48h"], vals["issues_opened"])
        vals["complaint_rate"] = _pct(vals["complaints"], vals["claims_closed"])
        vals["repeat_claim_rate"] = _pct(vals["repeat_claims"], vals["claims_closed"])
        base_complaint, base_repeat = self._baseline_rates(company)
        vals["complaint_rate_baseline"] = base_complaint
        vals["repeat_claim_rate_baseline"] = base_repeat
        vals["complaint_rate_change"] = _change(vals["complaint_rate"], base_complaint, vals["claims_closed"])
        vals["repeat_claim_rate_change"] = _change(vals["repeat_claim_rate"], base_repeat, vals["claims_closed"])
        return {k: v or 0 for k, v in vals.items()}

    @api.model
    def _claim_counts(self, company, start, end):
        """Claims closed in [start, end): all, contactable (not opted out), first callback reaching the
        customer (attempt `reached`, or callback done) ≤ 72 h after closure, first attempt ≤ 24 h, and
        repeat claims: the latest earlier claim of the same partner, or of the same policy, was closed
        in the 12 months before. One scan of the claims of [start − 12 months, end) (window functions)."""
        self.env.cr.execute(SQL(
            """
            WITH claims AS (
                SELECT t.id, t.closed_date, t.callback_status IS DISTINCT FROM 'opted_out' AS contactable,
                       CASE WHEN t.partner_id IS NOT NULL THEN
                           lag(t.closed_date) OVER (PARTITION BY t.partner_id ORDER BY t.closed_date, t.id) END
                           AS previous_partner_claim,
                       CASE WHEN t.policy_number IS NOT NULL THEN
                           lag(t.closed_date) OVER (PARTITION BY t.policy_number ORDER BY t.closed_date, t.id) END
                           AS previous_policy_claim
                  FROM helpdesk_ticket t
                 WHERE t.is_claim AND t.company_id = %(company)s
                   AND t.closed_date >= %(start)s::timestamp - interval '12 months' AND t.closed_date < %(end)s
            )
            SELECT count(*) AS claims_closed,
                   count(*) FILTER (WHERE contactable) AS contactable_claims,
                   count(*) FILTER (WHERE contactable AND (
                       (cb.state = 'done' AND cb.completed_date <= t.closed_date + interval '72 hours')
                       OR EXISTS (SELECT 1 FROM claim_callback_attempt a
                                   WHERE a.callback_id = cb.id AND a.outcome = 'reached'
                                     AND a.date <= t.closed_date + interval '72 hours')
                   )) AS covered_claims,
                   count(*) FILTER (WHERE contactable
                       AND cb.first_attempt_date <= t.closed_date + interval '24 hours') AS first_contact_claims,
                   count(*) FILTER (WHERE previous_partner_claim >= t.closed_date - interval '12 months'
                                       OR previous_policy_claim >= t.closed_date - interval '12 months')
                       AS repeat_claims
              FROM claims t
         LEFT JOIN claim_callback cb ON cb.ticket_id = t.id AND cb.sequence = 1
             WHERE t.closed_date >= %(start)s
            """,
            company=company.id, start=start, end=end,
        ))
        return self.env.cr.dictfetchone()

    @api.model
    def _satisfaction_counts(self, company, start, end):
        """Callbacks completed in [start, end): with a satisfaction score, and satisfied (the
        company's 'Satisfied From' score or above, as in the closed loop)."""
        self.env.cr.execute(SQL(
            """
            SELECT count(*) FILTER (WHERE satisfaction >= 1) AS rated_callbacks,
                   count(*) FILTER (WHERE satisfaction >= %(satisfied)s) AS satisfied_callbacks
              FROM claim_callback
             WHERE company_id = %(company)s AND state = 'done'
               AND completed_date >= %(start)s AND completed_date < %(end)s
            """,
            company=company.id, start=start, end=end, satisfied=company.callback_satisfied_score,
        ))
        return self.env.cr.dictfetchone()

    @api.model
    def _issue_counts(self, company, start, end):
        """Feedback issues opened in [start, end), those closed ≤ 48 h after opening, and complaints."""
        self.env.cr.execute(SQL(
            """
            SELECT count(*) FILTER (WHERE source_callback_id IS NOT NULL) AS issues_opened,
                   count(*) FILTER (WHERE source_callback_id IS NOT NULL
                                      AND closed_date <= create_date + interval '48 hours') AS issues_resolved_48h,
                   count(*) FILTER (WHERE is_complaint) AS complaints
              FROM helpdesk_ticket
             WHERE company_id = %(company)s AND (source_callback_id IS NOT NULL OR is_complaint)
               AND create_date >= %(start)s AND create_date < %(end)s
            """,
            company=company.id, start=start, end=end,
        ))
        return self.env.cr.dictfetchone()

    @api.model
    def _cost(self, company, start, end):
        """Channel costs of the attempts of [start, end) plus the points redeemed."""
        self.env["claim.callback.attempt"].flush_model(["company_id", "date", "cost"])
        self.env.cr.execute(SQL(
            """
            SELECT COALESCE(sum(cost), 0) FROM claim_callback_attempt
             WHERE company_id = %(company)s AND date >= %(start)s AND date < %(end)s
            """,
            company=company.id, start=start, end=end,
        ))
        return self.env.cr.fetchone()[0] + self._redeemed_points_cost(company, start, end)

    @api.model
    def _redeemed_points_cost(self, company, start, end):
        """Cost of the reward points redeemed in [start, end).

        Redeemed points × the company's value per point, from the reward ledger.
        """
        return self.env["claim.reward.entry"]._redeemed_cost(start, end, company)

    @api.model
    def _baseline_rates(self, company):
        """(complaints per 100 claims, repeat-claim rate) of the company's baseline period; 0 = none."""
        if not company.callback_baseline_start or not company.callback_baseline_end:
            return 0.0, 0.0
        start, end = self._period_bounds(company.callback_baseline_start, company.callback_baseline_end, company)
        claims = self._claim_counts(company, start, end)
        issues = self._issue_counts(company, start, end)
        return (
            _pct(issues["complaints"], claims["claims_closed"]) or 0.0,
            _pct(claims["repeat_claims"], claims["claims_closed"]) or 0.0,
        )

    # ------------------------------------------------------------------
    # Presentation (report, views, mails)
    # ------------------------------------------------------------------

    def _month_label(self, month=None):
        """This row's month, or `month`, as the reader's language writes it: "2026年12月"."""
        return format_month(self.env, month or self.month)

    def _kpi_names(self):
        return {
            "coverage_72h": self.env._("Callback coverage 72 h"),
            "first_contact_24h": self.env._("First contact 24 h"),
            "satisfaction_rate": self.env._("Satisfaction rate"),
            "issue_resolution_48h": self.env._("Issue resolution 48 h"),
            "complaint_rate_change": self.env._("Complaint rate change"),
            "repeat_claim_rate_change": self.env._("Repeat-claim rate change"),
        }

    def _is_defined(self, field, denominator):
        if field.endswith("_change"):
            return bool(self.claims_closed and self[denominator])
        return bool(self[denominator])

    def _get_kpi_lines(self):
        """One dict per KPI: name, value (None = n/a), display, target, ok (None = no target or n/a)."""
        self.ensure_one()
        names = self._kpi_names()
        lines = []
        for field, denominator, target_field, higher_is_better in KPI_SPECS:
            value = self[field] if self._is_defined(field, denominator) else None
            target = self.company_id[target_field] if target_field else None
            ok = None
            if value is not None and target is not None:
                ok = value >= target if higher_is_better else value <= target
            lines.append({
                "field": field,
                "name": names[field],
                "value": value,
                "display": self.env._("n/a") if value is None else f"{value:+.1f} %" if field.endswith("_change")
                else f"{value:.1f} %",
                "target": target,
                "target_display": "" if target is None else (
                    f"≤ {target:+.1f} %" if not higher_is_better else f"≥ {target:.1f} %"
                ),
                "ok": ok,
            })
        return lines

    # ------------------------------------------------------------------
    # Monthly cron: snapshot and mail to the managers; budget alerts
    # ------------------------------------------------------------------

    @api.model
    def _cron_monthly_kpi(self):
        """Snapshot last month for every company and mail the PDF once to its managers."""
        # sudo: the cron snapshots every company, whatever companies its user belongs to.
        companies = self.env["res.company"].sudo().search([])  # a few companies; pylint: disable=no-search-all
        for company in companies:
            start_local = self._company_today(company).replace(day=1) - relativedelta(months=1)
            kpi = self.sudo().compute_month(start_local, company)
            if not kpi.report_sent_date:
                kpi._send_report()
            self.env["ir.cron"]._commit_progress(1)
        self._check_budgets(companies)

    @api.model
    def _cron_check_budgets(self):
        # sudo: every company (a few records)
        self._check_budgets(self.env["res.company"].sudo().search([]))  # pylint: disable=no-search-all

    @api.model
    def _company_today(self, company):
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        return pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date()

    @api.model
    def _get_manager_users(self, company):
        """Internal users of the manager group who belong to `company`, with an e-mail address."""
        group = self.env.ref("insurance_claim_callback.group_callback_manager")
        return group.all_user_ids.filtered(
            lambda u: company in u.company_ids and not u.share and u.active and u.email
        )

    def _send_report(self):
        """E-mail the PDF of each snapshot to its company's managers, one rendering per language."""
        report = self.env.ref("insurance_claim_callback.claim_callback_kpi_report")
        for kpi in self:
            managers = self._get_manager_users(kpi.company_id)
            for lang in set(managers.mapped("lang")):
                users = managers.filtered(lambda u, lang=lang: u.lang == lang)
                kpi_lang = kpi.with_context(lang=lang).with_company(kpi.company_id)
                pdf, _type = report.with_context(lang=lang)._render_qweb_pdf(report.report_name, kpi.ids)
                label = kpi_lang._month_label()
                subject = kpi_lang.env._(
                    "Callback KPIs %(month)s – %(company)s", month=label, company=kpi.company_id.name
                )
                # sudo: the cron's user writes the outgoing mail of the managers it may notify.
                self.env["mail.mail"].sudo().create({
                    "subject": subject,
                    "body_html": kpi_lang.env._("<p>The callback KPIs of %(month)s are attached.</p>", month=label),
                    "email_from": kpi.company_id.email_formatted or self.env.user.email_formatted,
                    "recipient_ids": [Command.set(users.partner_id.ids)],
                    "auto_delete": False,
                    "attachment_ids": [Command.create({
                        "name": f"callback-kpis-{kpi.month:%Y-%m}.pdf",
                        "datas": base64.b64encode(pdf),
                        "mimetype": "application/pdf",
                        "res_model": self._name,
                        "res_id": kpi.id,
                    })],
                })
            kpi.report_sent_date = fields.Datetime.now()

    @api.model
    def _check_budgets(self, companies):
        """Alert the managers once per threshold (80 %, 100 %) and period (month, year) of budget use."""
        for company in companies:
            today = self._company_today(company)
            month, year = today.replace(day=1), date(today.year, 1, 1)
            for period, first, budget in (
                ("month", month, company.callback_budget_monthly),
                ("year", year, company.callback_budget_yearly),
            ):
                if budget <= 0:
                    continue
                start, end = self._period_bounds(first, today, company)
                cost = self._cost(company, start, end)
                level = next((t for t in BUDGET_THRESHOLDS if cost >= budget * t / 100), 0)
                alerted = company[f"callback_budget_alert_{period}_level"]
                if company[f"callback_budget_alert_{period}"] != first:
                    alerted = 0
                if level > alerted:
                    self._send_budget_alert(company, period, first, level, cost, budget)
                    company.sudo().write({  # sudo: the alert state lives on the company
                        f"callback_budget_alert_{period}": first,
                        f"callback_budget_alert_{period}_level": level,
                    })

    @api.model
    def _send_budget_alert(self, company, period, first, level, cost, budget):
        managers = self._get_manager_users(company)
        if not managers:
            return
        label = format_month(self.env, first) if period == "month" else str(first.year)
        # sudo: the cron's user writes the outgoing mail of the managers it may notify.
        self.env["mail.mail"].sudo().create({
            "subject": self.env._(
                "Callback budget %(period)s %(level)s %% used – %(company)s",
                period=label, level=level, company=company.name,
            ),
            "body_html": self.env._(
                "<p>Callback costs of %(period)s: %(cost).2f of a budget of %(budget).2f (%(level)s %% threshold).</p>",
                period=label, cost=cost, budget=budget, level=level,
            ),
            "email_from": company.email_formatted or self.env.user.email_formatted,
            "recipient_ids": [Command.set(managers.partner_id.ids)],
            "auto_delete": False,
        })
        _logger.info("Callback budget alert %s %s %s%% for %s", period, label, level, company.name)


def _pct(numerator, denominator):
    return 100.0 * numerator / denominator if denominator else None


def _change(rate, baseline, claims):
    if not claims or not baseline:
        return None
    return 100.0 * (rate - baseline) / baseline
