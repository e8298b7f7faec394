import hashlib
import hmac
import json
import logging
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .claim_bounds_mixin import SEQUENCE

_logger = logging.getLogger(__name__)

CHANNELS = [
    ("phone", "Phone"),
    ("sms", "SMS"),
    ("email", "E-mail"),
    ("wechat", "WeChat"),
    ("app", "App"),
]
# Channels that reach the insurer's app through an outgoing webhook.
WEBHOOK_CHANNELS = ("wechat", "app")
# Channels of the fallback message with the questionnaire link ...
FALLBACK_CHANNELS = ("sms", "email")
# ... and the insurer's app / WeChat, when their channel has a webhook.
MESSAGE_CHANNELS = FALLBACK_CHANNELS + WEBHOOK_CHANNELS
# What decides when a customer may be called: changing it moves the calling window of open callbacks.
WINDOW_FIELDS = frozenset({"window_start", "window_end", "code", "company_id", "active"})
WEBHOOK_TIMEOUT = 5  # seconds: a slow app must not hold the batch (and its row locks) for long
# Used when no setting exists for a channel.
DEFAULTS = {"window_start": 9.0, "window_end": 20.0, "retry_interval_hours": 2.0, "max_attempts": 3, "unit_cost": 0.0}


class ClaimCallbackChannel(models.Model):
    _name = "claim.callback.channel"
    _inherit = ["claim.bounds.mixin"]
    _description = "Callback Channel Settings"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Selection(CHANNELS, string="Channel", required=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True, help="Empty: the setting of every company without its own.")
    window_start = fields.Float(default=DEFAULTS["window_start"], help="Local time of the customer (hours).")
    window_end = fields.Float(default=DEFAULTS["window_end"], help="Local time of the customer.")
    retry_interval_hours = fields.Float(string="Retry Interval (hours)", default=DEFAULTS["retry_interval_hours"])
    max_attempts = fields.Integer(
        default=DEFAULTS["max_attempts"],
        help="Failed attempts on this channel before it is exhausted (for the phone: before the fallback).",
    )
    unit_cost = fields.Float(digits=(16, 4), help="Cost of one attempt, stored on each attempt.")
    webhook_url = fields.Char(
        string="Webhook URL",
        groups="insurance_claim_callback.group_callback_manager",
        help="WeChat / App: the insurer's endpoint that gets the questionnaire message (JSON, POST).",
    )
    webhook_secret = fields.Char(
        groups="insurance_claim_callback.group_callback_manager",
        copy=False,
        help="Signs each message: header X-Claim-Callback-Signature = sha256=HMAC-SHA256(secret, body) in hex.",
    )

    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))", "There is already a setting for this channel and company."
    )

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
            "window_start": (0, 24),
            "window_end": (0, 24),
            "retry_interval_hours": (0, 720),
            "max_attempts": (1, 20),
            "unit_cost": (0, 1_000_000),
        }

    @api.constrains("window_start", "window_end", "retry_interval_hours", "max_attempts", "unit_cost")
    def _check_values(self):
        for channel in self:
            if not 0 <= channel.window_start < channel.window_end <= 24:
                raise ValidationError(
                    self.env._("%(channel)s: the calling window must be within 0-24 h and end after it starts.",
                               channel=channel.name)
                )
            if channel.retry_interval_hours < 0 or channel.unit_cost < 0 or channel.max_attempts < 1:
                raise ValidationError(
                    self.env._("%(channel)s: retry interval and cost cannot be negative, and at least one attempt "
                               "is needed.", channel=channel.name)
                )

    @api.constrains("code", "webhook_url", "webhook_secret")
    def _check_webhook(self):
        for channel in self.filtered(lambda c: c.webhook_url or c.webhook_secret):
            if channel.code not in WEBHOOK_CHANNELS:
                raise ValidationError(
                    self.env._("%(channel)s: only the WeChat and App channels send through a webhook.",
                               channel=channel.name)
                )
            url = urlsplit(channel.webhook_url or "")
            if url.scheme not in ("http", "https") or not url.hostname or not channel.webhook_secret:
                raise ValidationError(
                    self.env._("%(channel)s: the webhook needs an http(s) URL and a secret.", channel=channel.name)
                )

    @api.model_create_multi
    def create(self, vals_list):
        channels = super().create(vals_list)
        channels._refresh_calling_windows()
        return channels

    def write(self, vals):
        before = self.filtered(lambda channel: channel.code == "phone")
        result = super().write(vals)
        if WINDOW_FIELDS & set(vals):
            (before | self)._refresh_calling_windows()
        return result

    def _refresh_calling_windows(self):
        """The open callbacks of the companies whose phone calling hours changed: their calling window again."""
        phone = self.filtered(lambda channel: channel.code == "phone")
        if not phone:
            return
        domain = [("state", "in", ("scheduled", "in_progress"))]
        if all(channel.company_id for channel in phone):  # a shared setting (no company) may be any company's
            domain.append(("company_id", "in", phone.company_id.ids))
        # sudo: every open callback of those companies, whichever manager changes the calling hours
        self.env["claim.callback"].sudo().search(domain)._refresh_callable_window()

    @api.model
    def _get_settings(self, companies):
        """{(company id, code): setting} for every channel; a company's own setting wins
        over the shared one, and a default (unsaved) setting fills the gaps."""
        rows = self.sudo().search([("company_id", "in", [*companies.ids, False])])
        settings = {}
        for company in companies:
            for code, label in CHANNELS:
                own = rows.filtered(lambda r, c=code, co=company: r.code == c and r.company_id == co)
                shared = rows.filtered(lambda r, c=code: r.code == c and not r.company_id)
                settings[company.id, code] = (own or shared)[:1] or self.new({"name": label, "code": code, **DEFAULTS})
        return settings

    # ------------------------------------------------------------------
    # Calling window, in the customer's time zone
    # ------------------------------------------------------------------

    def _window_bounds(self, local_day):
        start = datetime.combine(local_day, time()) + timedelta(hours=self.window_start)
        end = datetime.combine(local_day, time()) + timedelta(hours=self.window_end)
        return start, end

    def _in_window(self, when, tz_name):
        """Whether the naive UTC datetime `when` falls in the window of the tz."""
        local = pytz.utc.localize(when).astimezone(pytz.timezone(tz_name)).replace(tzinfo=None)
        start, end = self._window_bounds(local.date())
        return start <= local < end

    def _next_in_window(self, when, tz_name):
        """The first moment >= `when` (naive UTC) inside the window, as naive UTC."""
        tz = pytz.timezone(tz_name)
        local = pytz.utc.localize(when).astimezone(tz).replace(tzinfo=None)
        start, end = self._window_bounds(local.date())
        if local < start:
            local = start
        elif local >= end:
            local = self._window_bounds(local.date() + timedelta(days=1))[0]
        return tz.localize(local).astimezone(pytz.utc).replace(tzinfo=None)

    def _window_from(self, when, tz_name):
        """(opens, closes) of the window that holds `when` (naive UTC) or comes next, as naive UTC:
        opens is `when` itself inside the window; closes is False for a window open all day."""
        opens = self._next_in_window(when, tz_name)
        if self.window_start <= 0 and self.window_end >= 24:
            return opens, False
        tz = pytz.timezone(tz_name)
        local = pytz.utc.localize(opens).astimezone(tz).replace(tzinfo=None)
        closes = self._window_bounds(local.date())[1]
        return opens, tz.localize(closes).astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------------
    # Outgoing webhook (WeChat / App)
    # ------------------------------------------------------------------

    def _post_webhook(self, payload, session):
        """POST `payload` as signed JSON; True when the app answers 2xx, False (logged)
        for any other answer. A network error (refused, timeout) raises RequestException."""
        self.ensure_one()
        body = json.dumps(payload).encode()
        signature = hmac.new(self.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Claim-Callback-Signature": f"sha256={signature}"}
        response = session.post(
            self.webhook_url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT, allow_redirects=False
        )
        if not 200 <= response.status_code < 300:
            _logger.warning("Callback webhook %s (%s) answered %s", self.code, self.webhook_url, response.status_code)
            return False
        return True
