"""Build the site: `python build.py [build|check] [--content DIR] [--output DIR] [--drafts] [--debug]`."""
import sys

from site_src.cli import main

if __name__ == "__main__":
    sys.exit(main())
