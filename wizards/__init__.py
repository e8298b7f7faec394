from . import claim_reward_adjust
from . import claim_callback_outcome
from . import claim_sla_rule_preview
