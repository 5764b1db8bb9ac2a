from . import customer_insight_demo
from . import customer_rfm_segment
from . import mailing_mailing
from . import res_partner
