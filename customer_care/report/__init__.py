from . import customer_care_report
from . import customer_care_metrics
