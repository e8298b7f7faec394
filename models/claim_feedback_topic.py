from odoo import api, fields, models

from ..lib import topics as topics_lib


class ClaimFeedbackTopic(models.Model):
    """A common problem customers speak of in their feedback (README: Early warning and trends).

    The seven seeded topics are found by `lib/topics.classify`; `keywords` shows the seed keywords
    it starts from. A topic a company adds is found by its own keywords (one per line).
    """

    _name = "claim.feedback.topic"
    _description = "Feedback Topic"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable identifier, e.g. payout_speed.")
    sequence = fields.Integer(default=10)
    description = fields.Char(translate=True)
    keywords = fields.Text(help="One keyword or phrase per line, English or Chinese.")
    active = fields.Boolean(default=True)
    callback_count = fields.Integer(compute="_compute_callback_count")

    _code_uniq = models.Constraint("UNIQUE(code)", "A topic code is unique.")

    def _compute_callback_count(self):
        counts = dict(
            self.env["claim.callback"]._read_group([("topic_ids", "in", self.ids)], ["topic_ids"], ["__count"])
        )
        for topic in self:
            topic.callback_count = counts.get(topic, 0)

    @api.model
    def _seed_keywords(self):
        """Fill the empty keywords of the seeded topics from `lib/topics.SEED_KEYWORDS` (data file)."""
        for topic in self.with_context(active_test=False).search([("keywords", "=", False)]):
            seed = topics_lib.SEED_KEYWORDS.get(topic.code)
            if seed:
                topic.keywords = "\n".join(seed.get("en", []) + seed.get("zh", []))

    def _custom_keywords(self):
        """{topic: [lower-case keywords]} of the active topics the classifier does not know."""
        return {
            topic: [k.strip().lower() for k in (topic.keywords or "").splitlines() if k.strip()]
            for topic in self.search([("code", "not in", list(topics_lib.SEED_KEYWORDS))])
        }

    @api.model
    def _classify(self, texts):
        """The topics (records) the texts speak of: the classifier's codes, and the keywords of added topics."""
        texts = [t for t in texts if t and t.strip()]
        if not texts:
            return self.browse()
        codes = set().union(*topics_lib.classify(texts))
        found = self.search([("code", "in", list(codes))]) if codes else self.browse()
        lowered = [t.lower() for t in texts]
        for topic, keywords in self._custom_keywords().items():
            if any(k in text for k in keywords for text in lowered):
                found |= topic
        return found
