{
    "name": "Customer Lifetime Value",
    "summary": "Predict each customer's future value and churn risk (BG/NBD and Gamma-Gamma "
    "models fitted per company)",
    "version": "19.0.1.6.0",
    "category": "Sales/CRM",
    "author": "Customer Insight",
    "license": "LGPL-3",
    "depends": ["channel_attribution"],
    "external_dependencies": {"python": ["numpy", "scipy"]},
    "data": [
        "security/ir.model.access.csv",
        "security/customer_clv_rules.xml",
        "data/ir_cron_data.xml",
        "views/customer_clv_model_views.xml",
        "views/customer_clv_prediction_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": ["demo/customer_clv_demo.xml"],
    "assets": {
        "web.assets_tests": ["customer_clv/static/tests/tours/*.js"],
    },
    "installable": True,
    "application": False,
}
