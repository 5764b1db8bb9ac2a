from . import customer_segment_pin_wizard
