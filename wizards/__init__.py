from . import claim_callback_outcome
