"""``python -m rejection_diagnosis``."""

import sys

from .cli import main

sys.exit(main())
