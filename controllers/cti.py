"""Webhook for telephony systems (CTI / IVR / call robots) whose payload Odoo's JSON-2 API
cannot take as is: maps a vendor's call result to an attempt, and makes a duplicate
delivery (same call id) harmless. Plain results go to /json/2/claim.callback/register_attempt."""

import json
import logging

from psycopg2 import errors as pg_errors

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import mute_logger

_logger = logging.getLogger(__name__)

# vendor -> (field names in its payload, its call results -> our outcomes)
VENDOR_MAPPINGS = {
    "generic": {
        "fields": {"external_id": "call_id", "callback_id": "callback_id", "result": "result", "duration": "duration"},
        "results": {
            "ANSWERED": "reached",
            "NO_ANSWER": "no_answer",
            "BUSY": "busy",
            "INVALID_NUMBER": "wrong_number",
            "REJECTED": "refused",
            "CALLBACK_REQUESTED": "call_back_later",
        },
    },
}


class CtiWebhookController(http.Controller):
    @http.route(
        "/claim_callback/cti/<string:vendor>",
        type="http",
        auth="bearer",
        methods=["POST"],
        csrf=False,
        save_session=False,
    )
    def cti_webhook(self, vendor, **kwargs):
        mapping = VENDOR_MAPPINGS.get(vendor)
        if not mapping:
            return self._reply(404, error=f"unknown vendor {vendor!r}")
        try:
            payload = json.loads(request.httprequest.get_data() or b"")
        except ValueError:
            return self._reply(400, error="the body is not valid JSON")
        if not isinstance(payload, dict):
            return self._reply(400, error="the body must be a JSON object")
        names = mapping["fields"]
        external_id = payload.get(names["external_id"])
        callback_id = payload.get(names["callback_id"])
        outcome = mapping["results"].get(str(payload.get(names["result"], "")).upper())
        duration = payload.get(names["duration"]) or 0
        if not external_id or not isinstance(callback_id, int) or not outcome or not isinstance(duration, int):
            return self._reply(
                422, error=f"expected {names['external_id']}, {names['callback_id']} (integer), "
                f"{names['result']} (one of {', '.join(mapping['results'])}) and {names['duration']} (seconds)",
            )
        external_id = f"{vendor}:{external_id}"
        Attempt = request.env["claim.callback.attempt"]
        done = Attempt.search([("external_id", "=", external_id)], limit=1)
        if done:
            return self._reply(200, attempt_id=done.id, duplicate=True)
        callback = request.env["claim.callback"].browse(callback_id)
        try:
            callback.check_access("write")
            callback = callback.exists()
        except (AccessError, MissingError):
            callback = None
        if not callback:
            return self._reply(404, error=f"no callback {callback_id} for this user")
        try:
            with mute_logger("odoo.sql_db"), request.env.cr.savepoint():
                attempt = callback.with_context(claim_callback_external_id=external_id).register_attempt(
                    "phone", outcome, duration=duration, note=payload.get("note")
                )
        except pg_errors.UniqueViolation:  # the same call delivered twice at once
            return self._reply(200, attempt_id=Attempt.search([("external_id", "=", external_id)]).id, duplicate=True)
        except ValidationError as exc:
            return self._reply(422, error=exc.args[0])
        except UserError as exc:
            return self._reply(409, error=exc.args[0])
        return self._reply(201, attempt_id=attempt.id, duplicate=False)

    def _reply(self, status, **body):
        return request.make_json_response(body, status=status)
