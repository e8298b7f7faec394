from odoo import fields, models


class ResCompany(models.Model):
    """The switch of the best-time learner (README: Contact attempts, channels and the questionnaire)."""

    _inherit = "res.company"

    callback_learn_best_time = fields.Boolean(
        string="Call at the Learned Best Time",
        default=True,
        help="The next phone try goes to the hour the customer answers most often (inside the calling window, "
        "at or after the retry interval), and customers the phone rarely reaches but messages do get the "
        "questionnaire link earlier. Off: the fixed retry interval.",
    )
