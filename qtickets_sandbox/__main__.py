"""`python -m qtickets_sandbox serve ...`"""

import sys

from qtickets_sandbox.cli import main

if __name__ == "__main__":
    sys.exit(main())
