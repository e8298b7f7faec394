"""Issue #23. The callback's attempt summary (attempt_count, attempt_cost, last_attempt_channel) is stored for the
analysis pivot: filled here from the attempts in one statement. The supervisors' record rules read their teams as
ids (res.users.callback_team_ids) instead of a join on the team's leader: the rules are noupdate, which an update
never reloads, so their new domain is taken from the security file."""

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_path

RULES = (
    "claim_callback_rule_supervisor",
    "claim_callback_attempt_rule_supervisor",
    "claim_callback_evaluation_rule_supervisor",
    "claim_callback_agent_month_rule_supervisor",
    "claim_callback_analysis_rule_supervisor",
    "claim_risk_warning_rule_supervisor",
    "claim_callback_topic_analysis_rule_supervisor",
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["claim.callback"]._store_attempt_summaries()
    security = etree.parse(file_path("insurance_claim_callback/security/insurance_claim_callback_security.xml"))
    for name in RULES:
        [domain] = security.xpath(f"//record[@id='{name}']/field[@name='domain_force']/text()")
        env.ref(f"insurance_claim_callback.{name}").domain_force = domain
