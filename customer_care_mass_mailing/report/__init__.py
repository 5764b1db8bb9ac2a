from . import customer_care_mailing_metrics
