"""Issue #23. The expiries' unique index on origin_id is the column's only index: Odoo keeps a field's index it no
longer declares, so the plain one goes here. The customer 360's record rules read the customers through one
subquery (claim.customer.history.mixin): the rules are noupdate, which an update never reloads, so their new domain
is taken from the security file."""

from lxml import etree

from odoo import SUPERUSER_ID, api
from odoo.tools.misc import file_path

RULES = (
    "claim_callback_rule_agent_customer_history",
    "claim_callback_rule_supervisor_customer_history",
    "helpdesk_ticket_rule_agent_customer_history",
    "helpdesk_ticket_rule_supervisor_customer_history",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS claim_reward_entry__origin_id_index")
    env = api.Environment(cr, SUPERUSER_ID, {})
    security = etree.parse(file_path("insurance_claim_callback/security/insurance_claim_callback_security.xml"))
    for name in RULES:
        [domain] = security.xpath(f"//record[@id='{name}']/field[@name='domain_force']/text()")
        env.ref(f"insurance_claim_callback.{name}").domain_force = domain
