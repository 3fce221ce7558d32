"""``python -m allysim.cli``: the same as the ``allysim`` command."""

import sys

from allysim.cli import main

sys.exit(main())
