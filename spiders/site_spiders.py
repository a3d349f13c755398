"""A spider for each bundled site profile: `spiders/sites/NAME.toml` is `scrapy crawl NAME`.

Adding a site is adding a file; no code. A profile that cannot be read is kept out, and
its one-line error is in `PROFILE_ERRORS` for the crawl command to report.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from spiders.news import NewsSpider
from spiders.profile import ProfileError, SiteProfile, profiles_from_text

# Read through importlib.resources: Scrapyd runs the project from a zipped egg.
SITES = files("spiders") / "sites"
SITES_DIR = Path(str(SITES))
# profile file name (without .toml) -> why it could not be read
PROFILE_ERRORS: dict[str, str] = {}


def spider_for(profile: SiteProfile) -> type[NewsSpider]:
    """The spider class of one site profile."""
    class_name = "".join(part.capitalize() for part in profile.name.split("-")) + "Spider"
    attributes = {
        "name": profile.name,
        "profile": profile,
        "__module__": __name__,
        "__doc__": f"The site of {profile.source}; `-a url=` points it at a copy.",
    }
    return type(class_name, (NewsSpider,), attributes)


def _load_bundled() -> None:
    for entry in sorted(SITES.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".toml"):
            continue
        stem = entry.name.removesuffix(".toml")
        try:
            profiles = profiles_from_text(entry.read_text(encoding="utf-8"), str(entry), stem)
        except ProfileError as exc:
            PROFILE_ERRORS[stem] = str(exc)
            continue
        for profile in profiles:
            spider = spider_for(profile)
            globals()[spider.__name__] = spider


_load_bundled()
