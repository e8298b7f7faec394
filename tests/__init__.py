from . import test_claim
from . import test_scheduling
from . import test_assignment
from . import test_concurrency
from . import test_access
from . import test_views
from . import test_sla
