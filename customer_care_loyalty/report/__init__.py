from . import customer_care_offer_report
