from . import test_clv
from . import test_tours
