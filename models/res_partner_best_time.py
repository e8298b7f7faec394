"""When the customer usually answers the phone, in the current company (lib/best_time.py)."""

from odoo import api, fields, models
from odoo.tools.misc import babel_locale_parse


class ResPartner(models.Model):
    _inherit = "res.partner"

    callback_usual_answer_time = fields.Char(
        string="Usually Answers",
        compute="_compute_callback_usual_answer_time",
        groups="insurance_claim_callback.group_callback_agent",
        help="In the current company, from the phone calls logged on the customer's callbacks: the hours (their "
        "local time, inside the calling window) at which they answered most often, and the chance of an answer.",
    )

    @api.depends_context("company", "lang")
    def _compute_callback_usual_answer_time(self):
        company = self.env.company
        profiles = self.env["claim.callback.reach"]._profiles([(company, p) for p in self if p.id])
        phone = self.env["claim.callback.channel"]._get_settings(company)[company.id, "phone"]
        window = {h for h in range(24) if phone.window_start <= h and h + 1 <= phone.window_end}
        for partner in self:
            profile = profiles.get((company.id, partner.id))
            partner.callback_usual_answer_time = partner._usual_answer_text(profile, window) if profile else False

    def _usual_answer_text(self, profile, window):
        if not profile.tries:
            return False
        block = profile.usual_block(window)
        if not block:
            return self.env._("Not enough phone calls yet (%(tries)s).", tries=profile.tries)
        days, first, end, chance = block
        labels = {
            "weekdays": self.env._("weekdays"), "weekend": self.env._("weekends"), "every day": self.env._("every day"),
        }
        if days not in labels:
            names = babel_locale_parse(self.env.lang).days["format"]["abbreviated"]
            labels[days] = ", ".join(names[d] for d in days)
        return self.env._(
            "usually answers: %(days)s %(start)s–%(end)s (%(chance)s %%)",
            days=labels[days], start=f"{first:02d}:00", end=f"{end:02d}:00", chance=round(100 * chance),
        )
