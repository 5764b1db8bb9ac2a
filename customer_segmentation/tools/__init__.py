from .classes import (
    BUYING_STAGES,
    CUSTOMER_TYPES,
    LIFECYCLE_STAGES,
    PAYMENT_CLASSES,
    VALUE_TIERS,
    WEEKDAYS,
)
from .groups import INTERNAL_GROUP, MANAGER_GROUP, USER_GROUP
from .rules import insert_rule_after
from .sql import (
    IdRange,
    analyze_if_company_misjudged,
    analyze_if_grown,
    analyze_if_stale,
    contacts_scope,
    merge_partner_rows,
    partner_scope,
    rewrite_rows,
    tune_transaction,
)
from .values import check_finite
