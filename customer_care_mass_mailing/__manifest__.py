{
    "name": "Customer Care Mailings",
    "summary": "Send an Email Marketing mailing to a customer class (segment, stage, tier, "
    "payment class, churn risk or a search) that stays up to date, with its statistics per class",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Customer Insight",
    "license": "LGPL-3",
    "depends": ["customer_care", "customer_clv", "mass_mailing"],
    "data": [
        "security/ir.model.access.csv",
        "security/customer_care_mass_mailing_rules.xml",
        "views/customer_rfm_segment_views.xml",
        "views/res_partner_views.xml",
        "views/mailing_mailing_views.xml",
        "report/customer_care_mailing_metrics_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/customer_care_mass_mailing_demo.xml"],
    "assets": {
        "web.assets_tests": ["customer_care_mass_mailing/static/tests/tours/*.js"],
    },
    "auto_install": True,
    "installable": True,
    "application": False,
}
