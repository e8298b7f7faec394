from . import portal
from . import survey
from . import cti
