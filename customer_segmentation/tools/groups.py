"""Who sees what, in one place: the groups that field and method access refer to."""

# A customer's assessment is for the company's staff: portal users never read it.
INTERNAL_GROUP = "base.group_user"
# Amounts and analyses.
USER_GROUP = "customer_segmentation.group_customer_insight_user"
# Configuration and running the engines.
MANAGER_GROUP = "customer_segmentation.group_customer_insight_manager"
