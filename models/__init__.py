from . import claim_category
from . import claim_callback
from . import claim_callback_attempt
from . import helpdesk_ticket
from . import res_users
from . import claim_sla_rule
