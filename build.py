"""Build the site:

`python build.py [build|check|serve] [--content DIR] [--output DIR] [--today YYYY-MM-DD]
[--drafts] [--debug]`.
"""

import sys

from site_src.cli import main

if __name__ == "__main__":
    sys.exit(main())
