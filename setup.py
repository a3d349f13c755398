"""Packaging for Scrapyd: `scrapyd-deploy` builds the project's egg with this file.

settings.py is a top-level module, not a package, so the setup.py scrapyd-deploy would
generate (find_packages() only) leaves it out; tests/ and benchmarks/ stay out on purpose.
Name and version come from pyproject.toml.
"""

from __future__ import annotations

from setuptools import find_packages, setup

PACKAGES = ["spiders", "pipelines", "parsing", "archive"]

setup(
    packages=find_packages(include=[*PACKAGES, *(f"{name}.*" for name in PACKAGES)]),
    py_modules=["settings"],
    # the bundled site profiles: each is a spider (spiders/site_spiders.py)
    package_data={"spiders": ["sites/*.toml"]},
    # setuptools warns that entry points outside pyproject.toml's [project] will one day be
    # ignored; the versions scrapyd allows (<81) still honour them, and
    # tests/test_scrapyd.py checks the egg has it.
    entry_points={"scrapy": ["settings = settings"]},
)
