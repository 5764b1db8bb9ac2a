from . import test_clv
