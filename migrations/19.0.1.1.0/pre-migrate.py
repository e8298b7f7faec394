"""Issue #19: shared records get an owner (README: Security and privacy)."""


def migrate(cr, version):
    if not version:
        return
    # Feedback topics get a company: the column exists before the ORM adds it, so the existing topics stay
    # shared rather than getting the default company of the user who updates.
    cr.execute("ALTER TABLE claim_feedback_topic ADD COLUMN IF NOT EXISTS company_id int4")
    # The customer's callback risk becomes per company (jsonb keyed by company id): the single value cannot be
    # converted; post-migrate computes it again in every company.
    cr.execute("ALTER TABLE res_partner DROP COLUMN IF EXISTS callback_risk, DROP COLUMN IF EXISTS callback_risk_reason")
