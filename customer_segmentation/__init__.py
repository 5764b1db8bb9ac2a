from . import models
from . import tools
from . import wizard
from .hooks import post_init_hook
