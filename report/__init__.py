from . import claim_callback_analysis
