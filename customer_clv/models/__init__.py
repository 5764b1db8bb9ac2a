from . import res_company
from . import customer_clv_model
from . import customer_clv_prediction
from . import clv_engine
from . import segmentation_engine
from . import res_partner
from . import res_config_settings
from . import base_partner_merge
