from . import clv_math
