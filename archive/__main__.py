"""`python -m archive`: the archivists' and researchers' command line."""

from archive.cli import cli

if __name__ == "__main__":
    cli(prog_name="python -m archive")
