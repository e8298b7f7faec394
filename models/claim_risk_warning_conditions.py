"""The conditions of the risk check, each one or two set-based queries over all companies
(README: Early warning and trends). Each `_find_<kind>` returns {key: vals} for `_sync_warnings`,
key = (company, team, channel, topic, customer) ids, False where the kind has none; vals hold figures
only. Each `_message_<kind>` renders a warning of that kind in the reader's language from them."""

from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from .claim_callback import OPEN_STATES
from .claim_callback_attempt_hour import hour_floor
from .claim_callback_channel import MESSAGE_CHANNELS
from .claim_callback_kpi import KPI_SPECS
from .claim_callback_kpi_forecast import FORECAST_KPIS
from .locale_format import format_month

PHONE_FAILURES = ("no_answer", "busy", "wrong_number", "refused")
AGENT_GROUP = "insurance_claim_callback.group_callback_agent"


def _pct(part, whole):
    return 100.0 * part / whole if whole else 0.0


class ClaimRiskWarning(models.Model):
    _inherit = "claim.risk.warning"

    def _number(self, value, digits=1):
        """A figure of a message, as the reader's language writes numbers."""
        return formatLang(self.env, value or 0.0, digits=digits)

    @api.model
    def _refresh_counts(self, model):
        """Bring the counts the conditions read up to date, once per risk check."""
        if not self.env.context.get("risk_counts_refreshed"):
            self.env[model]._refresh()

    @api.model
    def _day_window_start(self):
        """The first day of the last 7 days (today included): callbacks are counted by the day."""
        return fields.Date.today() - timedelta(days=6)

    @api.model
    def _window_start(self, **ago):
        """The first hour of a window of attempts: they are counted by the hour (claim.callback.attempt.hour)."""
        return hour_floor(fields.Datetime.now() - timedelta(**ago))

    @api.model
    def _fetch(self, query):
        self.env.flush_all()
        self.env.cr.execute(query)
        return self.env.cr.dictfetchall()

    # ------------------------------------------------------------------
    # Resource shortage
    # ------------------------------------------------------------------

    @api.model
    def _find_capacity_shortage(self):
        """Teams whose open callbacks exceed the threshold share of their agents' summed capacity."""
        agents = self.env.ref(AGENT_GROUP).all_user_ids.ids
        rows = self._fetch(SQL(
            """
            WITH capacity AS (
                SELECT r.helpdesk_ticket_team_id AS team_id, sum(u.callback_capacity) AS capacity
                  FROM helpdesk_ticket_team_res_users_rel r JOIN res_users u ON u.id = r.res_users_id
                 WHERE u.active AND u.id = ANY(%(agents)s)
              GROUP BY r.helpdesk_ticket_team_id
            ), load AS (
                SELECT company_id, team_id, count(*) AS open FROM claim_callback
                 WHERE state IN %(open)s AND team_id IS NOT NULL GROUP BY company_id, team_id
            )
            SELECT l.company_id, l.team_id, l.open,
                   COALESCE(cap.capacity, 0) AS capacity, c.callback_risk_capacity_pct AS threshold
              FROM load l
              JOIN helpdesk_ticket_team t ON t.id = l.team_id AND t.active
              JOIN res_company c ON c.id = l.company_id
         LEFT JOIN capacity cap ON cap.team_id = l.team_id
             WHERE l.open * 100.0 > c.callback_risk_capacity_pct * COALESCE(cap.capacity, 0)
            """,
            agents=agents, open=OPEN_STATES,
        ))
        return {
            (row["company_id"], row["team_id"], False, False, False): {
                "value": round(_pct(row["open"], max(row["capacity"], 1)), 1),
                "threshold": row["threshold"],
                "message_values": {"open": row["open"], "capacity": row["capacity"]},
            }
            for row in rows
        }

    def _message_capacity_shortage(self, values):
        return self.env._(
            "Team %(team)s has %(open)s open callbacks for a capacity of %(capacity)s "
            "(%(value)s %%, threshold %(threshold)s %%).",
            team=self.team_id.display_name or "", open=self._number(values.get("open"), 0),
            capacity=self._number(values.get("capacity"), 0), value=self._number(self.value),
            threshold=self._number(self.threshold),
        )

    # ------------------------------------------------------------------
    # Technical failure
    # ------------------------------------------------------------------

    @api.model
    def _find_channel_failure(self):
        """Message channels of a company whose attempts of the last 24 hours (counted by the hour) failed too
        often."""
        self._refresh_counts("claim.callback.attempt.hour")
        rows = self._fetch(SQL(
            """
            SELECT h.company_id, h.channel, sum(h.attempts) AS total, sum(h.failed) AS failed,
                   c.callback_risk_channel_failure_pct AS threshold
              FROM claim_callback_attempt_hour h JOIN res_company c ON c.id = h.company_id
             WHERE h.hour >= %(since)s AND h.channel IN %(channels)s
          GROUP BY h.company_id, h.channel, c.callback_risk_channel_failure_pct, c.callback_risk_channel_min_attempts
            HAVING sum(h.attempts) >= c.callback_risk_channel_min_attempts
               AND sum(h.failed) * 100.0 >= c.callback_risk_channel_failure_pct * sum(h.attempts)
               AND sum(h.failed) > 0
            """,
            since=self._window_start(hours=24), channels=MESSAGE_CHANNELS,
        ))
        return {
            (row["company_id"], False, row["channel"], False, False): {
                "value": round(_pct(row["failed"], row["total"]), 1),
                "threshold": row["threshold"],
                "message_values": {"failed": row["failed"], "total": row["total"]},
            }
            for row in rows
        }

    def _message_channel_failure(self, values):
        return self.env._(
            "%(channel)s: %(failed)s of %(total)s messages of the last 24 hours failed "
            "(%(value)s %%, threshold %(threshold)s %%).",
            channel=dict(self._fields["channel"]._description_selection(self.env)).get(self.channel, ""),
            failed=self._number(values.get("failed"), 0), total=self._number(values.get("total"), 0),
            value=self._number(self.value), threshold=self._number(self.threshold),
        )

    # ------------------------------------------------------------------
    # Communication obstacle
    # ------------------------------------------------------------------

    @api.model
    def _find_contact_failure(self):
        """Teams whose phone attempts of the last 7 days fail far more than in the 28 days before (counted by the
        hour)."""
        self._refresh_counts("claim.callback.attempt.hour")
        week = self._window_start(days=7)
        rows = self._fetch(SQL(
            """
            SELECT company_id, team_id,
                   sum(attempts) FILTER (WHERE hour >= %(week)s) AS recent,
                   sum(failed) FILTER (WHERE hour >= %(week)s) AS recent_failed,
                   sum(attempts) FILTER (WHERE hour < %(week)s) AS before,
                   sum(failed) FILTER (WHERE hour < %(week)s) AS before_failed
              FROM claim_callback_attempt_hour
             WHERE channel = 'phone' AND hour >= %(start)s AND team_id IS NOT NULL
          GROUP BY company_id, team_id
            HAVING sum(failed) FILTER (WHERE hour >= %(week)s) > 0
            """,
            week=week, start=week - timedelta(days=28),
        ))
        for row in rows:
            for key in ("recent", "recent_failed", "before", "before_failed"):
                row[key] = row[key] or 0
        companies = self.env["res.company"].browse({row["company_id"] for row in rows})
        found = {}
        for row in rows:
            company = companies.browse(row["company_id"])
            share = _pct(row["recent_failed"], row["recent"])
            before = _pct(row["before_failed"], row["before"])
            if (row["recent_failed"] < company.callback_risk_contact_min_failures
                    or share < company.callback_risk_contact_ratio * before
                    or share < before + company.callback_risk_contact_margin):
                continue
            threshold = round(max(company.callback_risk_contact_ratio * before,
                                  before + company.callback_risk_contact_margin), 1)
            found[(row["company_id"], row["team_id"], False, False, False)] = {
                "value": round(share, 1),
                "threshold": threshold,
                "message_values": {"failed": row["recent_failed"], "total": row["recent"], "before": round(before, 1)},
            }
        return found

    def _message_contact_failure(self, values):
        return self.env._(
            "Team %(team)s: %(failed)s of %(total)s phone attempts of the last 7 days failed (%(share)s %%), "
            "against %(before)s %% in the 28 days before.",
            team=self.team_id.display_name or "", failed=self._number(values.get("failed"), 0),
            total=self._number(values.get("total"), 0), share=self._number(self.value),
            before=self._number(values.get("before")),
        )

    # ------------------------------------------------------------------
    # Potential risk points
    # ------------------------------------------------------------------

    @api.model
    def _find_topic_spike(self):
        """Topics (shared or the company's own) of a company's callbacks of the last 7 days (counted by the day)
        well above their weekly average."""
        self._refresh_counts("claim.callback.topic.day")
        week = self._day_window_start()
        rows = self._fetch(SQL(
            """
            SELECT d.company_id, d.topic_id,
                   COALESCE(sum(d.callbacks) FILTER (WHERE d.day >= %(week)s), 0) AS recent,
                   COALESCE(sum(d.callbacks) FILTER (WHERE d.day < %(week)s), 0) AS before,
                   c.callback_risk_topic_min AS minimum, c.callback_risk_topic_factor AS factor
              FROM claim_callback_topic_day d
              JOIN claim_feedback_topic tp ON tp.id = d.topic_id AND tp.active
                   AND (tp.company_id IS NULL OR tp.company_id = d.company_id)
              JOIN res_company c ON c.id = d.company_id
             WHERE d.day >= %(start)s
          GROUP BY d.company_id, d.topic_id, c.callback_risk_topic_min, c.callback_risk_topic_factor
            HAVING COALESCE(sum(d.callbacks) FILTER (WHERE d.day >= %(week)s), 0)
                   >= GREATEST(c.callback_risk_topic_min,
                               c.callback_risk_topic_factor
                               * COALESCE(sum(d.callbacks) FILTER (WHERE d.day < %(week)s), 0) / 8.0)
            """,
            week=week, start=week - timedelta(weeks=8),
        ))
        return {
            (row["company_id"], False, False, row["topic_id"], False): {
                "value": float(row["recent"]),
                "threshold": round(max(row["minimum"], row["factor"] * row["before"] / 8.0), 1),
                "message_values": {"average": round(row["before"] / 8.0, 1)},
            }
            for row in rows
        }

    def _message_topic_spike(self, values):
        return self.env._(
            "%(topic)s: %(count)s callbacks of the last 7 days, against %(average)s a week "
            "in the 8 weeks before.",
            topic=self.topic_id.name or "", count=self._number(self.value, 0),
            average=self._number(values.get("average")),
        )

    # ------------------------------------------------------------------
    # Trend prediction
    # ------------------------------------------------------------------

    @api.model
    def _find_kpi_forecast(self):
        """Companies whose forecast of this month misses a KPI target: one warning naming each KPI."""
        Kpi = self.env["claim.callback.kpi"]
        companies = self.env["res.company"].search([])  # a handful; pylint: disable=no-search-all
        months = {company: self._company_month(company) for company in companies}
        oldest = min(months.values(), default=fields.Date.today()) - Kpi._forecast_history()
        rows = Kpi.search([("month", ">=", oldest), ("company_id", "in", companies.ids)], order="month")
        found = {}
        for company, month in months.items():
            history = rows.filtered(lambda r, c=company, m=month: r.company_id == c and r.month < m)
            forecast = history._forecast_from_rows(month)
            misses = []
            for field, _denominator, target_field, _higher in KPI_SPECS:
                if field in FORECAST_KPIS and field in forecast and forecast[field]["value"] < company[target_field]:
                    misses.append((company[target_field] - forecast[field]["value"], field, target_field))
            if not misses:
                continue
            _gap, field, target_field = max(misses)
            found[(company.id, False, False, False, False)] = {
                "value": round(forecast[field]["value"], 1),
                "threshold": company[target_field],
                "message_values": {"month": fields.Date.to_string(month), "kpis": [
                    {"kpi": f, "value": round(forecast[f]["value"], 1), "target": company[t],
                     **({"low": round(forecast[f]["low"], 1), "high": round(forecast[f]["high"], 1)}
                        if forecast[f]["low"] is not None else {})}
                    for _g, f, t in sorted(misses, reverse=True)
                ]},
            }
        return found

    def _message_kpi_forecast(self, values):
        names = self.env["claim.callback.kpi"]._kpi_names()
        return self.env._(
            "Forecast of %(month)s below target: %(kpis)s.",
            month=format_month(self.env, fields.Date.to_date(values.get("month"))),
            kpis="; ".join(self.env._(
                "%(kpi)s %(value)s %% (%(low)s–%(high)s %%), target %(target)s %%",
                kpi=names.get(item["kpi"], item["kpi"]), value=self._number(item["value"]),
                low=self._number(item["low"]), high=self._number(item["high"]), target=self._number(item["target"]),
            ) if "low" in item else self.env._(
                "%(kpi)s %(value)s %% (not enough history for a range), target %(target)s %%",
                kpi=names.get(item["kpi"], item["kpi"]), value=self._number(item["value"]),
                target=self._number(item["target"]),
            ) for item in values.get("kpis", [])),
        )

    @api.model
    def _company_month(self, company):
        tz = pytz.timezone(company.partner_id.tz or "UTC")
        return pytz.utc.localize(fields.Datetime.now()).astimezone(tz).date().replace(day=1)

    # ------------------------------------------------------------------
    # Customers at risk
    # ------------------------------------------------------------------

    @api.model
    def _find_customer_at_risk(self, partners=None):
        """Customers (all, or `partners`) at high callback risk in a company (stored on the partner per company,
        refreshed here first: for all, of the customers whose callbacks or tickets changed since the last check),
        with the team of their latest callback there, else of their latest claim or complaint there."""
        Partner = self.env["res.partner"]
        if partners is None:
            Partner._update_changed_callback_risk()
        else:
            Partner._update_callback_risk(partners)
        only = SQL("AND p.id = ANY(%s)", partners.ids) if partners is not None else SQL()
        rows = self._fetch(SQL(
            """
            SELECT p.id AS partner_id, c.id AS company_id, p.callback_risk_reason->>r.key AS reason,
                   cb.id AS callback_id, cb.team_id
              FROM res_partner p
        CROSS JOIN LATERAL jsonb_each_text(p.callback_risk) r
              JOIN res_company c ON c.id = r.key::int
         LEFT JOIN LATERAL (SELECT id, team_id FROM claim_callback
                             WHERE partner_id = p.id AND company_id = c.id
                          ORDER BY completed_date DESC NULLS LAST, id DESC LIMIT 1) cb ON true
             WHERE p.callback_risk IS NOT NULL AND r.value = 'high' %(only)s
            """,
            only=only,
        ))
        if without := [row for row in rows if not row["callback_id"]]:
            # a complaint or claim of a customer who never had a callback in the company: its ticket's team
            tickets = {(row["partner_id"], row["company_id"]): row["team_id"] for row in self._fetch(SQL(
                """
                SELECT DISTINCT ON (partner_id, company_id) partner_id, company_id, team_id FROM helpdesk_ticket
                 WHERE partner_id = ANY(%s) AND (is_claim OR is_complaint) ORDER BY partner_id, company_id, id DESC
                """,
                [row["partner_id"] for row in without],
            ))}
            for row in without:
                row["team_id"] = tickets.get((row["partner_id"], row["company_id"]))
        return {
            (row["company_id"], row["team_id"] or False, False, False, row["partner_id"]): {
                "value": 0.0,
                "threshold": 0.0,
                "message_values": {"reason": row["reason"]},
            }
            for row in rows
            if row["company_id"]
        }

    @api.model
    def _sync_customer_risks(self, partners):
        """The customers' risk now, and their warnings opened or resolved at once: a result or a complaint
        that makes a customer high risk does not wait for the hourly check."""
        if not partners:
            return
        found = self._find_customer_at_risk(partners)
        # sudo: the warnings are the risk check's, whoever's action changed the customer's risk
        self.sudo()._sync_warnings("customer_at_risk", found, [("partner_id", "in", partners.ids)])

    def _message_customer_at_risk(self, values):
        reasons = dict(self.env["res.partner"]._fields["callback_risk_reason"]._description_selection(self.env))
        return self.env._(
            "%(customer)s: %(reason)s.", customer=self.partner_id.name or "", reason=reasons.get(values.get("reason"), "")
        )

    # ------------------------------------------------------------------
    # The records behind a warning
    # ------------------------------------------------------------------

    def _records_domain(self):
        """(model, domain) of what the warning counts."""
        self.ensure_one()
        company = [("company_id", "=", self.company_id.id)]
        if self.kind == "capacity_shortage":
            return "claim.callback", [*company, ("team_id", "=", self.team_id.id), ("state", "in", OPEN_STATES)]
        if self.kind == "channel_failure":
            return "claim.callback.attempt", [*company, ("channel", "=", self.channel),
                                              ("date", ">=", self._window_start(hours=24))]
        if self.kind == "contact_failure":
            return "claim.callback.attempt", [*company, ("callback_id.team_id", "=", self.team_id.id),
                                              ("channel", "=", "phone"), ("outcome", "in", PHONE_FAILURES),
                                              ("date", ">=", self._window_start(days=7))]
        if self.kind == "topic_spike":
            return "claim.callback", [*company, ("topic_ids", "in", self.topic_id.ids), ("state", "=", "done"),
                                      ("completed_date", ">=", fields.Datetime.to_datetime(self._day_window_start()))]
        if self.kind == "customer_at_risk":
            return "claim.callback", [*company, ("partner_id", "=", self.partner_id.id)]
        if self.env["claim.callback.kpi"].has_access("read"):
            return "claim.callback.kpi", company
        month_start = self._company_month(self.company_id)
        return "claim.callback", [*company, ("state", "=", "done"), ("completed_date", ">=", month_start)]
