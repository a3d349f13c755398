"""`python -m archive`: the archivists' and researchers' command line."""

import os
import sys

from archive.cli import cli

if __name__ == "__main__":
    try:
        cli(prog_name="python -m archive")
    except BrokenPipeError:
        # Output piped into `head` or a pager that stopped reading: not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
