"""Fallback: when the phone is exhausted, the questionnaire link by SMS, e-mail, app, WeChat."""

import logging
from collections import defaultdict
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.fields import Domain

from .batch import process_locked_batch
from .claim_callback import OPEN_STATES
from .claim_callback_channel import MESSAGE_CHANNELS, WEBHOOK_CHANNELS
from .res_config_settings import callback_param

_logger = logging.getLogger(__name__)

class ClaimCallback(models.Model):
    _inherit = "claim.callback"

    fallback_date = fields.Datetime(
        readonly=True, copy=False, index="btree_not_null",
        help="The phone attempts are exhausted: when the SMS / e-mail with the questionnaire link goes out.",
    )
    fallback_sent_date = fields.Datetime(readonly=True, copy=False)

    @api.model
    def _cron_send_fallback(self):
        batch = callback_param(self.env, "batch_size")
        sent, remaining = self._send_fallback_batch(batch)
        expired = self._expire_fallback_batch(batch)
        self.env["ir.cron"]._commit_progress(sent + expired, remaining=remaining)

    @api.model
    def _get_fallback_domain(self):
        return Domain(
            [
                ("state", "in", OPEN_STATES),
                ("fallback_sent_date", "=", False),
                ("fallback_date", "<=", fields.Datetime.now()),
                ("ticket_id.callback_status", "!=", "opted_out"),
            ]
        )

    @api.model
    def _send_fallback_batch(self, limit=500, domain=None):
        """Send the fallback messages of one batch of due callbacks (rows locked by a
        concurrent run are skipped). Returns (callbacks processed, remaining)."""
        domain = self._get_fallback_domain() & Domain(domain or Domain.TRUE)
        return process_locked_batch(self, domain, limit, lambda batch: batch._send_fallback(), "fallback_date, id")

    def _send_fallback(self):
        now = fields.Datetime.now()
        settings = self._get_channel_settings()
        blocked = self.partner_id._get_callback_blocked_channels()
        missing = self.partner_id._get_callback_missing_channels()
        targets = {channel: self.browse() for channel in MESSAGE_CHANNELS}
        nowhere, later = self.browse(), defaultdict(lambda: self.browse())
        for callback in self:
            pid, cid = callback.partner_id.id, callback.company_id.id
            unset = {c for c in WEBHOOK_CHANNELS if not settings[cid, c].webhook_url}
            skip = blocked.get(pid, set()) | missing.get(pid, set(MESSAGE_CHANNELS)) | unset
            usable = [c for c in MESSAGE_CHANNELS if c not in skip]
            if not usable:
                nowhere |= callback
            elif all(settings[callback.company_id.id, c]._in_window(now, callback._get_customer_tz()) for c in usable):
                for channel in usable:
                    targets[channel] |= callback
            else:  # never outside the window: wait for the next opening
                later[callback._next_fallback_date(now, settings, usable)] |= callback
        for when, group in later.items():
            group.write({"fallback_date": when})
        sending = self.browse().union(*targets.values())
        if sending:
            sending.write({"fallback_sent_date": now, "survey_expiry_date": now + timedelta(days=callback_param(self.env, "survey_link_days"))})
            targets["sms"]._queue_fallback_sms()
            targets["email"]._queue_fallback_email()
            outcomes = self._post_fallback_webhooks(targets, settings)
            attempts = []
            for channel in MESSAGE_CHANNELS:
                for callback in targets[channel]:
                    outcome, not_sent = outcomes.get((callback.id, channel), ("message_sent", False))
                    attempts.append({**callback._prepare_attempt_vals(
                        channel, outcome, settings=settings, blocked=blocked.get(callback.partner_id.id, set()),
                    ), "not_sent": not_sent})
            self._log_attempts(attempts)
        if nowhere:
            nowhere._set_unreachable()

    def _queue_fallback_sms(self):
        if not self:
            return
        template = self.env.ref("insurance_claim_callback.sms_template_callback_fallback")
        bodies = template._render_field("body", self.ids, compute_lang=True)
        # sudo: the cron user queues the SMS; sms.sms is technical
        self.env["sms.sms"].sudo().create([
            {"number": c.partner_id.phone_sanitized, "partner_id": c.partner_id.id, "body": bodies[c.id], "state": "outgoing"}
            for c in self
        ])
        self.env.ref("sms.ir_cron_sms_scheduler_action")._trigger()

    def _queue_fallback_email(self):
        if not self:
            return
        template = self.env.ref("insurance_claim_callback.mail_template_callback_fallback")
        template.send_mail_batch(self.ids)

    def _post_fallback_webhooks(self, targets, settings):
        """Post the questionnaire message to the app / WeChat webhooks; returns
        {(callback id, channel): (outcome, not sent)}. A failed post is only an attempt outcome.

        An endpoint that does not answer (refused, timed out) is not tried again in this
        batch: one timeout per endpoint, not one per callback, while the batch holds its locks.
        """
        webhook_targets = self.browse().union(*(targets[c] for c in WEBHOOK_CHANNELS))
        if not webhook_targets:
            return {}
        # the SMS text: short, in the customer's language, with the link
        template = self.env.ref("insurance_claim_callback.sms_template_callback_fallback")
        texts = template._render_field("body", webhook_targets.ids, compute_lang=True)
        outcomes, silent = {}, set()
        with requests.Session() as session:
            for channel in WEBHOOK_CHANNELS:
                for callback in targets[channel]:
                    setting = settings[callback.company_id.id, channel]
                    if setting.id in silent:
                        outcomes[callback.id, channel] = ("message_failed", True)
                        continue
                    payload = callback._prepare_webhook_payload(channel, texts[callback.id])
                    try:
                        posted = setting._post_webhook(payload, session)
                    except requests.RequestException as error:
                        _logger.warning("Callback webhook %s (%s) failed: %s", setting.code, setting.webhook_url, error)
                        silent.add(setting.id)
                        posted = False
                    outcomes[callback.id, channel] = ("message_sent" if posted else "message_failed", False)
        return outcomes

    def _prepare_webhook_payload(self, channel, text):
        self.ensure_one()
        return {
            "message_id": f"claim-callback-{self.id}-{channel}",  # lets the app ignore a repeated delivery
            "callback_id": self.id,
            "claim_number": self.claim_number or self.ticket_id.number,
            "partner_id": self.partner_id.id,
            "partner_ref": self.partner_id.ref or None,
            "channel": channel,
            "message": text,
            "questionnaire_url": self._get_survey_url(),
        }

    @api.model
    def _expire_fallback_batch(self, limit=500):
        """Callbacks whose questionnaire link expired unanswered: every channel is exhausted."""
        domain = Domain([("state", "in", OPEN_STATES), ("fallback_sent_date", "!=", False),
                         ("survey_expiry_date", "<", fields.Datetime.now())])
        expired, _remaining = process_locked_batch(self, domain, limit, lambda batch: batch._set_unreachable())
        return expired
