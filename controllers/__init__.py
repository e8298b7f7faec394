from . import survey
from . import cti
