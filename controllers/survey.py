from odoo import http
from odoo.http import request

# Why a questionnaire link cannot be used -> HTTP status of the page saying so.
LINK_STATUS_CODES = {"invalid": 403, "expired": 410, "closed": 409}
MAX_SIGNATURE = 128  # characters; ours are 64


class CallbackSurveyController(http.Controller):
    @http.route(
        "/claim_callback/survey/<int:callback_id>/<int:expiry>/<string:signature>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
    )
    def callback_survey(self, callback_id, expiry, signature, **kwargs):
        # sudo: the customer is the public user; the signed link is the access check
        valid_input = 0 < callback_id < 2**31 and len(signature) <= MAX_SIGNATURE
        callback = request.env["claim.callback"].sudo().browse(callback_id if valid_input else []).exists()
        status = callback._check_survey_link(expiry, signature) if callback else "invalid"
        if status != "ok":
            return request.render(
                "insurance_claim_callback.callback_survey_link_page",
                {"link_status": status},
                status=LINK_STATUS_CODES[status],
            )
        answer = callback._get_survey_answer()
        return request.redirect(f"/survey/start/{answer.survey_id.access_token}?answer_token={answer.access_token}")
