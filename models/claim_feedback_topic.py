from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError

from ..lib import topics as topics_lib
from .claim_bounds_mixin import SEQUENCE

ADMIN_GROUP = "base.group_system"
# Bounds of what a company adds: keywords of a topic (the seeded topics have up to 75) and own active topics.
MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 60
MAX_COMPANY_TOPICS = 50


class ClaimFeedbackTopic(models.Model):
    """A common problem customers speak of in their feedback (README: Early warning and trends).

    The seven seeded topics are shared by all companies and found by `lib/topics.classify`; `keywords` shows
    the seed keywords it starts from. A topic a company adds is its own, found by its own keywords (one per
    line) in that company's callbacks only. Only administrators change the shared topics
    (README: Security and privacy).
    """

    _name = "claim.feedback.topic"
    _inherit = ["claim.bounds.mixin"]
    _description = "Feedback Topic"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable identifier, e.g. payout_speed.")
    sequence = fields.Integer(default=10)
    description = fields.Char(translate=True)
    keywords = fields.Text(
        help=f"One keyword or phrase per line, English or Chinese: at most {MAX_KEYWORDS} keywords of "
        f"{MAX_KEYWORD_LENGTH} characters."
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        ondelete="restrict",
        default=lambda self: self._default_company_id(),
        help="The company whose callbacks the topic is found in. Empty: shared by all companies, changed by "
        "administrators only.",
    )
    active = fields.Boolean(default=True)
    callback_count = fields.Integer(compute="_compute_callback_count")

    _code_company_uniq = models.UniqueIndex(
        "(code, COALESCE(company_id, 0))", "A topic code is unique within its company and among the shared topics."
    )

    def _default_company_id(self):
        return self.env.company

    def _get_field_bounds(self):
        return {
            **super()._get_field_bounds(),
            "sequence": SEQUENCE,
        }

    def _compute_callback_count(self):
        counts = dict(
            self.env["claim.callback"]._read_group([("topic_ids", "in", self.ids)], ["topic_ids"], ["__count"])
        )
        for topic in self:
            topic.callback_count = counts.get(topic, 0)

    @api.constrains("keywords")
    def _check_keywords(self):
        for topic in self:
            keywords = topic._keyword_list()
            if (
                len(topic.keywords or "") > MAX_KEYWORDS * (MAX_KEYWORD_LENGTH + 1)
                or len(keywords) > MAX_KEYWORDS
                or any(len(keyword) > MAX_KEYWORD_LENGTH for keyword in keywords)
            ):
                raise ValidationError(
                    self.env._(
                        "%(topic)s: a topic has at most %(count)s keywords, one per line, of at most %(length)s "
                        "characters each.",
                        topic=topic.name,
                        count=MAX_KEYWORDS,
                        length=MAX_KEYWORD_LENGTH,
                    )
                )

    @api.constrains("company_id", "active")
    def _check_company_topic_count(self):
        # sudo: the count covers the company's topics whoever adds one
        for company in self.filtered("active").company_id:
            if self.sudo().search_count([("company_id", "=", company.id)]) > MAX_COMPANY_TOPICS:
                raise ValidationError(
                    self.env._(
                        "%(company)s has at most %(count)s active feedback topics of its own.",
                        company=company.name,
                        count=MAX_COMPANY_TOPICS,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        topics = super().create(vals_list)
        topics._check_owner()
        return topics

    def write(self, vals):
        self._check_owner()
        result = super().write(vals)
        if "company_id" in vals:
            self._check_owner()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_check_owner(self):
        self._check_owner()

    def _check_owner(self):
        """Shared topics are changed by administrators only; anyone else changes the topics of his companies
        (the record rules say the same; this also covers the company a topic is given or moved to)."""
        if self.env.su or self.env.user.has_group(ADMIN_GROUP):
            return
        # sudo: the owner decides, whether or not the user may read the topic
        if any(topic.company_id not in self.env.user.company_ids for topic in self.sudo()):
            raise AccessError(
                self.env._(
                    "Only administrators change the shared feedback topics; you change the topics of your "
                    "companies only."
                )
            )

    @api.model
    def _seed_keywords(self):
        """Fill the empty keywords of the seeded topics from `lib/topics.SEED_KEYWORDS` (data file)."""
        for topic in self.with_context(active_test=False).search([("keywords", "=", False)]):
            seed = topics_lib.SEED_KEYWORDS.get(topic.code)
            if seed:
                topic.keywords = "\n".join(seed.get("en", []) + seed.get("zh", []))

    def _keyword_list(self):
        self.ensure_one()
        return [k.strip().lower() for k in (self.keywords or "").splitlines() if k.strip()]

    def _is_seeded(self):
        """A shared topic the classifier knows by its code."""
        self.ensure_one()
        return not self.company_id and self.code in topics_lib.SEED_KEYWORDS

    @api.model
    def _classify(self, texts, company):
        """The topics (records) the texts of a callback of `company` speak of: the classifier's codes, and the
        keywords of the other shared topics and of the company's own."""
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            return self.browse()
        # sudo: the topics are the system's reading of the text for the callback's company, whoever records it
        topics = self.sudo().search([("company_id", "in", [False, company.id])])
        codes = set().union(*topics_lib.classify(texts))
        text = "\n".join(texts).lower()  # a keyword is one line: it cannot span two texts
        found = []
        for topic in topics:
            if topic._is_seeded():
                hit = topic.code in codes
            else:
                # bounded even for keywords stored before the bounds were
                keywords = [k for k in topic._keyword_list()[:MAX_KEYWORDS] if len(k) <= MAX_KEYWORD_LENGTH]
                pattern = topics_lib.keywords_pattern(tuple(keywords))
                hit = bool(pattern and pattern.search(text))
            if hit:
                found.append(topic.id)
        return self.browse(found)
