from . import claim_reward_adjust
