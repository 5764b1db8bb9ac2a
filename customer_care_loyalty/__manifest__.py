{
    "name": "Customer Care Offers",
    "summary": "Care rules hand out coupons and gift cards of Odoo's loyalty programmes, "
    "and the care reports count the offers used and their revenue",
    "version": "19.0.1.0.0",
    "category": "Sales/CRM",
    "author": "Customer Insight",
    "license": "LGPL-3",
    "depends": ["customer_care", "sale_loyalty"],
    "data": [
        "security/ir.model.access.csv",
        "security/customer_care_loyalty_rules.xml",
        "data/mail_template_data.xml",
        "views/customer_care_rule_views.xml",
        "views/customer_care_log_views.xml",
        "report/customer_care_offer_report_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/customer_care_loyalty_demo.xml"],
    "assets": {
        "web.assets_tests": ["customer_care_loyalty/static/tests/tours/*.js"],
    },
    "installable": True,
    "auto_install": True,
    "application": False,
}
