from . import test_offers, test_security, test_tours
