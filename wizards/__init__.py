from . import claim_sla_rule_preview
