from . import test_audience
from . import test_mailing_metrics
from . import test_tours
