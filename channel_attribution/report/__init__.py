from . import customer_channel_report
