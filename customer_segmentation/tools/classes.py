"""The classes a customer can be in: one list each, that models, reports and care rules
share."""

LIFECYCLE_STAGES = [
    ("potential", "Potential"),
    ("intent", "Intent"),
    ("new", "New"),
    ("active", "Active"),
    ("vip", "VIP"),
    ("at_risk", "At Risk"),
    ("churned", "Churned"),
]
VALUE_TIERS = [("high", "High"), ("medium", "Medium"), ("low", "Low")]
PAYMENT_CLASSES = [
    ("prompt", "Prompt Payer"),
    ("normal", "Normal Payer"),
    ("late", "Late Payer"),
    ("risky", "Risky Payer"),
]
# Weekdays as the behaviour profile stores them (Monday = 0, like Python's weekday()).
WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]
# Stages of customers who buy: the base from which customers churn.
BUYING_STAGES = ("new", "active", "vip", "at_risk")

CUSTOMER_TYPES = [
    ("individual", "Individual"),
    ("sme", "SME"),
    ("large", "Large Enterprise"),
    ("multinational", "Multinational"),
    ("government", "Government"),
    ("non_profit", "Non-Profit"),
]
