"""``python -m oimtool``."""

import sys

from oimtool.cli import main

sys.exit(main())
