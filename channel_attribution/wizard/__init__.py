from . import customer_acquisition_wizard
