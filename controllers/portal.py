from werkzeug.exceptions import NotFound

from odoo import http
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

PAGE_SIZE = 20


class RewardPortal(CustomerPortal):
    """The customer's own reward points: balance and history (record rules keep it to their own)."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "reward_count" in counters:
            Entry = request.env["claim.reward.entry"]
            values["reward_count"] = Entry.search_count(self._reward_domain()) if Entry.has_access("read") else 0
        return values

    def _reward_domain(self):
        # zero-point expiry entries only mark fully used points as processed
        return [("partner_id", "=", request.env.user.partner_id.id), ("points", "!=", 0)]

    @http.route(["/my/rewards", "/my/rewards/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_rewards(self, page=1, **kw):
        Entry = request.env["claim.reward.entry"]
        if not Entry.has_access("read"):
            return request.redirect("/my")
        domain = self._reward_domain()
        count = Entry.search_count(domain)
        pager = portal_pager(url="/my/rewards", total=count, page=page, step=PAGE_SIZE)
        entries = Entry.search(domain, limit=PAGE_SIZE, offset=pager["offset"])
        [[balance]] = Entry._read_group(domain, aggregates=["points:sum"])
        values = self._prepare_portal_layout_values()
        values.update(
            {"entries": entries, "balance": balance or 0, "pager": pager, "page_name": "rewards"}
        )
        return request.render("insurance_claim_callback.portal_my_rewards", values)

    @http.route(["/my/rewards/<int:entry_id>"], type="http", auth="user", website=True)
    def portal_my_reward(self, entry_id, **kw):
        entry = request.env["claim.reward.entry"].search(self._reward_domain() + [("id", "=", entry_id)])
        if not entry:
            raise NotFound()
        values = self._prepare_portal_layout_values()
        values.update({"entry": entry, "page_name": "rewards"})
        return request.render("insurance_claim_callback.portal_my_reward", values)
