from . import (
    care_engine,
    customer_care_log,
    customer_care_rule,
    customer_insight_demo,
    res_partner,
    sale_order_line,
)
