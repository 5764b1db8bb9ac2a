from . import test_acquisition
from . import test_attribution
from . import test_mapping
from . import test_reports
from . import test_security
from . import test_settings
from . import test_tours
from . import test_referral
