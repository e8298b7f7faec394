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

from ..models.claim_callback import INTEGRATION_GROUP

_logger = logging.getLogger(__name__)
MAX_CALL_ID = 200  # characters of a vendor's call id

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
        # call ids are the telephony system's: an agent's key cannot reserve one before it posts
        if not request.env.user.has_group(INTEGRATION_GROUP):
            return self._reply(403, error="only the telephony integration user posts call results")
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
        outcome = mapping["results"].get(str(payload.get(names["result"], ""))[:40].upper())
        duration = payload.get(names["duration"]) or 0
        if (
            not isinstance(external_id, (str, int)) or isinstance(external_id, bool) or not str(external_id).strip()
            or len(str(external_id)) > MAX_CALL_ID or not str(external_id).isprintable()
            or not isinstance(callback_id, int) or isinstance(callback_id, bool)
            or not 0 < callback_id < 2**31 or not outcome
        ):
            return self._reply(
                422, error=f"expected {names['external_id']} (printable text, at most {MAX_CALL_ID} characters), "
                f"{names['callback_id']} (integer), {names['result']} (one of {', '.join(mapping['results'])}) "
                f"and {names['duration']} (seconds)",
            )
        note = payload.get("note")
        if isinstance(note, str) and "\x00" in note:
            return self._reply(422, error="the note cannot contain a NUL character")
        callback = request.env["claim.callback"].browse(callback_id)
        try:
            callback.check_access("write")
            callback = callback.exists()
        except (AccessError, MissingError):
            callback = None
        if not callback:
            return self._reply(404, error=f"no callback {callback_id} for this user")
        # a call id is unique per company and vendor: another company's calls are not duplicates
        external_id = f"{vendor}:{external_id}"
        done = self._find_attempt(callback, external_id)
        if done:
            return self._reply(200, attempt_id=done.id, duplicate=True)
        try:
            with mute_logger("odoo.sql_db"), request.env.cr.savepoint():
                attempt = callback._register_attempt("phone", outcome, duration, note, external_id=external_id)
        except pg_errors.UniqueViolation:  # the same call delivered twice at once
            return self._reply(200, attempt_id=self._find_attempt(callback, external_id).id, duplicate=True)
        except AccessError as exc:
            return self._reply(403, error=exc.args[0])
        except ValidationError as exc:
            return self._reply(422, error=exc.args[0])
        except UserError as exc:
            return self._reply(409, error=exc.args[0])
        return self._reply(201, attempt_id=attempt.id, duplicate=False)

    def _find_attempt(self, callback, external_id):
        # sudo: the duplicate may have been logged by another user of the callback's company
        return request.env["claim.callback.attempt"].sudo().search(
            [("company_id", "=", callback.company_id.id), ("external_id", "=", external_id)], limit=1
        )

    def _reply(self, status, **body):
        return request.make_json_response(body, status=status)
