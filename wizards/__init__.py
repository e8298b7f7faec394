from . import claim_reward_adjust
from . import claim_callback_outcome
