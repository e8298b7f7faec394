from . import claim_reward_adjust
from . import claim_callback_outcome
from . import claim_sla_rule_preview
from . import claim_callback_log_call
from . import claim_partner_redeem
from . import base_partner_merge_automatic_wizard
