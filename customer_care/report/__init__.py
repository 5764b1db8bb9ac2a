from . import customer_care_report
from . import customer_care_metrics
from . import customer_care_effectiveness
