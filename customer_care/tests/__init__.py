from . import test_engine
from . import test_metrics
from . import test_partner_care
from . import test_playbooks
from . import test_security
from . import test_activity_texts
from . import test_assignees
from . import test_tours
