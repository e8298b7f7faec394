from . import claim_callback_analysis
from . import claim_callback_kpi_line
from . import claim_callback_topic_analysis
from . import claim_callback_kpi_report
from . import claim_callback_script_experiment_analysis
