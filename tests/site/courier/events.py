"""The Events Calendar (Tribe): month, day and list views, event pages and iCal exports.

Like the plugin, every month and every day has a view that answers 200 and links the
previous and next one, so the calendar goes on without end in both directions (bounded
only by four-digit years).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta
from urllib.parse import quote

from tests.site.courier import theme
from tests.site.courier.model import SITE_NAME, CourierSite, Event
from tests.site.courier.theme import attr, clock, long_date, text

FIRST_DAY = date(1, 1, 1)
LAST_DAY = date(9999, 12, 31)
LIST_SIZE = 5  # events on a list view page
LIST_STEP = timedelta(days=30)  # how far "Previous Events" goes back
VIEWS_CLASS = (
    "post-type-archive post-type-archive-tribe_events tribe-events-page-template tribe-no-js "
    "tribe-filter-live events-archive tribe-events-style-full tribe-events-style-theme"
)


def month_url(base: str, year: int, month: int) -> str:
    """The month view of one month."""
    return f"{base}/events/month/{year:04d}-{month:02d}/"


def day_url(base: str, day: date) -> str:
    """The day view of one day."""
    return f"{base}/events/{day.year:04d}-{day.month:02d}-{day.day:02d}/"


def list_url(base: str, start: date | None = None) -> str:
    """The list view, from start (default: today)."""
    url = f"{base}/events/list/"
    return url if start is None else f"{url}?tribe-bar-date={start_key(start)}"


def start_key(day: date) -> str:
    """A date as the plugin writes it in URLs: YYYY-MM-DD."""
    return f"{day.year:04d}-{day.month:02d}-{day.day:02d}"


def parse_day(value: str) -> date | None:
    """YYYY-MM-DD, or None when it is not a real date."""
    try:
        year, month, day = (int(part) for part in value.split("-"))
        return date(year, month, day) if len(value) == 10 else None
    except ValueError:
        return None


def events_between(site: CourierSite, first: date, last: date) -> list[Event]:
    """Events starting on first to last, inclusive."""
    return [e for e in site.events if first <= e.start.date() <= last]


def _shift_month(year: int, month: int, step: int) -> tuple[int, int] | None:
    index = year * 12 + (month - 1) + step
    year, month = divmod(index, 12)
    return (year, month + 1) if 1 <= year <= 9999 else None


def _shift_day(day: date, step: int) -> date | None:
    try:
        return day + timedelta(days=step)
    except OverflowError:
        return None


def _subscribe(base: str, export: str) -> str:
    """The "Subscribe to calendar" dropdown: Google, webcal:, Outlook and the .ics export."""
    host = base.split("://", 1)[1]
    feed = f"webcal://{host}/?post_type=tribe_events&ical=1&eventDisplay=list"
    google = f"https://www.google.com/calendar/render?cid={quote(feed, safe='')}"
    outlook = (
        "https://outlook.office.com/owa?path=/calendar/action/compose&rru=addsubscription"
        f"&url={quote(feed, safe='')}&name={quote(SITE_NAME)}"
    )
    links = [
        (google, "Google Calendar"),
        (feed, "iCalendar"),
        (outlook, "Outlook 365"),
        (theme.with_query(export, [("ical", 1)]), "Export .ics file"),
    ]
    items = "".join(
        f'<li class="tribe-events-c-subscribe-dropdown__list-item"><a href="{attr(href)}" '
        f'class="tribe-events-c-subscribe-dropdown__list-item-link" target="_blank" '
        f'rel="noopener noreferrer nofollow noindex">{label}</a></li>'
        for href, label in links
    )
    return (
        '<div class="tribe-events-c-subscribe-dropdown__container"><div '
        'class="tribe-events-c-subscribe-dropdown">'
        '<div class="tribe-common-c-btn-border tribe-events-c-subscribe-dropdown__button">'
        '<button class="tribe-events-c-subscribe-dropdown__button-text">Subscribe to '
        "calendar</button></div>"
        '<div class="tribe-events-c-subscribe-dropdown__content"><ul '
        f'class="tribe-events-c-subscribe-dropdown__list">{items}</ul></div>'
        "</div></div>"
    )


def _view_header(
    base: str, current: str, prev: str | None, nxt: str | None, today: str, label: str
) -> str:
    views = []
    for name, href in (
        ("list", f"{base}/events/list/"),
        ("month", f"{base}/events/month/"),
        ("day", f"{base}/events/today/"),
    ):
        active = " tribe-events-c-view-selector__list-item--active" if name == current else ""
        views.append(
            '<li class="tribe-events-c-view-selector__list-item '
            f'tribe-events-c-view-selector__list-item--{name}{active}">'
            f'<a href="{href}" class="tribe-events-c-view-selector__list-item-link" '
            'data-js="tribe-events-view-link">'
            f'<span class="tribe-events-c-view-selector__list-item-text">{name.title()}</span></a>'
            "</li>"
        )
    nav = []
    if prev:
        nav.append(
            f'<li class="tribe-events-c-top-bar__nav-list-item"><a href="{attr(prev)}" '
            'class="tribe-common-c-btn-icon tribe-events-c-top-bar__nav-link '
            'tribe-events-c-top-bar__nav-link--prev" '
            'aria-label="Previous" title="Previous" data-js="tribe-events-view-link"></a></li>'
        )
    if nxt:
        nav.append(
            f'<li class="tribe-events-c-top-bar__nav-list-item"><a href="{attr(nxt)}" '
            'class="tribe-common-c-btn-icon tribe-events-c-top-bar__nav-link '
            'tribe-events-c-top-bar__nav-link--next" '
            'aria-label="Next" title="Next" data-js="tribe-events-view-link"></a></li>'
        )
    return f"""<header class="tribe-events-header">
<div class="tribe-events-header__events-bar tribe-events-c-events-bar">
<form class="tribe-events-c-search tribe-events-c-events-bar__search-form" method="get" \
action="{base}/events/" role="search"><input class="tribe-common-form-control-text__input \
tribe-events-c-search__input" type="text" name="tribe-bar-search" placeholder="Search for events" \
/><button class="tribe-common-c-btn tribe-events-c-search__button" type="submit" name="submit-bar">\
Find Events</button></form>
<div class="tribe-events-c-view-selector"><ul class="tribe-events-c-view-selector__list">\
{"".join(views)}</ul></div>
</div>
<div class="tribe-events-c-top-bar tribe-events-header__top-bar">
<nav class="tribe-events-c-top-bar__nav tribe-common-a11y-hidden"><ul \
class="tribe-events-c-top-bar__nav-list">{"".join(nav)}</ul></nav>
<a href="{today}" class="tribe-common-c-btn-border-small tribe-events-c-top-bar__today-button \
tribe-common-a11y-hidden" data-js="tribe-events-view-link">Today</a>
<div class="tribe-events-c-top-bar__datepicker"><button class="tribe-common-h3 tribe-common-h--alt \
tribe-events-c-top-bar__datepicker-button"><span \
class="tribe-events-c-top-bar__datepicker-desktop">{label}</span></button></div>
</div>
</header>"""


def _bottom_nav(
    prev: tuple[str, str] | None, nxt: tuple[str, str] | None, today: tuple[str, str]
) -> str:
    items = []
    if prev:
        items.append(
            '<li class="tribe-events-c-nav__list-item tribe-events-c-nav__list-item--prev"><a '
            f'href="{attr(prev[0])}" '
            'rel="prev" class="tribe-events-c-nav__prev tribe-common-b2 '
            'tribe-common-b1--min-medium" '
            f'data-js="tribe-events-view-link">{prev[1]}</a></li>'
        )
    items.append(
        '<li class="tribe-events-c-nav__list-item tribe-events-c-nav__list-item--today"><a '
        f'href="{attr(today[0])}" '
        'class="tribe-events-c-nav__today tribe-common-b2" data-js="tribe-events-view-link">'
        f"{today[1]}</a></li>"
    )
    if nxt:
        items.append(
            '<li class="tribe-events-c-nav__list-item tribe-events-c-nav__list-item--next"><a '
            f'href="{attr(nxt[0])}" '
            'rel="next" class="tribe-events-c-nav__next tribe-common-b2 '
            'tribe-common-b1--min-medium" '
            f'data-js="tribe-events-view-link">{nxt[1]}</a></li>'
        )
    return (
        '<nav class="tribe-events-c-nav"><ul class="tribe-events-c-nav__list">'
        f"{''.join(items)}</ul></nav>"
    )


def _view_page(
    site: CourierSite, base: str, *, title: str, canonical: str, view: str, inner: str
) -> str:
    main = f"""<div class="tribe-common tribe-events tribe-events-view tribe-events-view--{view}" \
data-js="tribe-events-view" data-view-rest-url="{base}/wp-json/tribe/views/v2/html" \
data-view-rest-method="GET" data-view-manage-url="1">
<div class="tribe-common-l-container tribe-events-l-container">
{inner}
</div>
</div>"""
    return theme.layout(
        site,
        base,
        title=title,
        canonical=canonical,
        body_class=f"{VIEWS_CLASS} tribe-events-view-{view}",
        main=main,
    )


def render_month(site: CourierSite, base: str, year: int, month: int, canonical: str) -> str:
    """The month view: a Monday-first grid of the month's weeks, endless prev/next links."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    grid_first = first - timedelta(days=first.weekday())
    grid_last = _shift_day(last, 6 - last.weekday()) or last
    events = events_between(site, grid_first, grid_last)
    by_day: dict[date, list[Event]] = {}
    for event in events:
        by_day.setdefault(event.start.date(), []).append(event)
    weeks = []
    day = grid_first
    week: list[str] = []
    while day <= grid_last:
        week.append(_month_cell(base, day, by_day.get(day, []), day.month != month))
        if len(week) == 7:
            weeks.append(
                '<div class="tribe-events-calendar-month__week" role="row">'
                + "".join(week)
                + "</div>"
            )
            week = []
        following = _shift_day(day, 1)
        if following is None:
            break
        day = following
    if week:
        weeks.append(
            '<div class="tribe-events-calendar-month__week" role="row">' + "".join(week) + "</div>"
        )
    before = _shift_month(year, month, -1)
    after = _shift_month(year, month, 1)
    prev = month_url(base, *before) if before else None
    nxt = month_url(base, *after) if after else None
    label = f"{calendar.month_name[month]} {year}"
    head = "".join(
        '<div class="tribe-events-calendar-month__header-column" role="columnheader" '
        f'aria-label="{name}">'
        '<h3 class="tribe-events-calendar-month__header-column-title tribe-common-b3"><span '
        f'aria-hidden="true">{name[:3]}</span></h3></div>'
        for name in calendar.day_name
    )
    empty = (
        ""
        if events
        else '<div class="tribe-events-c-messages"><div class="tribe-events-c-messages__message '
        'tribe-events-c-messages__message--notice" role="alert">There were no results '
        f"found for {label}.</div></div>"
    )
    bottom = _bottom_nav(
        (prev, calendar.month_name[before[1]]) if prev and before else None,
        (nxt, calendar.month_name[after[1]]) if nxt and after else None,
        (f"{base}/events/month/", "This Month"),
    )
    inner = f"""{_view_header(base, "month", prev, nxt, f"{base}/events/month/", label)}
{empty}
<h2 class="tribe-events-header__title-text tribe-common-a11y-visual-hide">Events for {label}</h2>
<div class="tribe-events-calendar-month" role="grid" \
aria-labelledby="tribe-events-calendar-header" aria-readonly="true">
<header class="tribe-events-calendar-month__header" role="rowgroup"><h2 \
class="tribe-common-a11y-visual-hide" id="tribe-events-calendar-header">Calendar of Events</h2>\
<div role="row" class="tribe-events-calendar-month__header-row">{head}</div></header>
<div class="tribe-events-calendar-month__body" role="rowgroup">
{chr(10).join(weeks)}
</div>
</div>
{bottom}
{_subscribe(base, canonical)}"""
    return _view_page(
        site, base, title=f"Events for {label}", canonical=canonical, view="month", inner=inner
    )


def _month_cell(base: str, day: date, events: list[Event], other: bool) -> str:
    key = start_key(day)
    classes = "tribe-events-calendar-month__day" + (
        " tribe-events-calendar-month__day--other-month" if other else ""
    )
    if events:
        count = "1 event" if len(events) == 1 else f"{len(events)} events"
        number = (
            f'<span class="tribe-common-a11y-visual-hide">{count}, </span>'
            f'<time class="tribe-events-calendar-month__day-date-daynum" datetime="{key}">'
            f'<a href="{day_url(base, day)}" class="tribe-events-calendar-month__day-date-link" '
            f'title="{day.day}" '
            f'data-js="tribe-events-view-link">{day.day}</a></time>'
        )
    else:
        number = (
            f'<span class="tribe-common-a11y-visual-hide">0 events, </span>'
            f'<time class="tribe-events-calendar-month__day-date-daynum" datetime="{key}">'
            f"{day.day}</time>"
        )
    items = "".join(
        f'<article class="tribe-events-calendar-month__calendar-event post-{e.post_id} '
        'tribe_events type-tribe_events">'
        '<div class="tribe-events-calendar-month__calendar-event-details"><div '
        'class="tribe-events-calendar-month__calendar-event-datetime">'
        f'<time datetime="{e.start:%H:%M}">{clock(e.start)}</time> - <time '
        f'datetime="{e.end:%H:%M}">{clock(e.end)}</time></div>'
        '<h3 class="tribe-events-calendar-month__calendar-event-title tribe-common-h8 '
        'tribe-common-h--alt">'
        f'<a href="{base}{e.path}" title="{attr(e.title)}" rel="bookmark" '
        'class="tribe-events-calendar-month__calendar-event-title-link '
        'tribe-common-anchor-thin">'
        f"{text(e.title)}</a></h3></div></article>"
        for e in events
    )
    return (
        f'<div class="{classes}" role="gridcell" aria-labelledby="tribe-events-calendar-day-{key}">'
        f'<div id="tribe-events-calendar-day-{key}"><h3 '
        'class="tribe-events-calendar-month__day-date tribe-common-h6 tribe-common-h--alt">'
        f"{number}</h3>"
        f'<div class="tribe-events-calendar-month__events">{items}</div></div></div>'
    )


def _event_summary(base: str, event: Event, words: int = 30) -> str:
    teaser = event.paragraphs[0].split()
    excerpt = text(" ".join(teaser[:words])) + (" &hellip;" if len(teaser) > words else "")
    return f"""<article class="tribe-events-calendar-list__event tribe-common-g-row \
tribe-common-g-row--gutters post-{event.post_id} tribe_events type-tribe_events status-publish \
hentry">
<div class="tribe-events-calendar-list__event-date-tag tribe-common-g-col"><time \
class="tribe-events-calendar-list__event-date-tag-datetime" \
datetime="{start_key(event.start.date())}"><span \
class="tribe-events-calendar-list__event-date-tag-weekday">{event.start:%a}</span> <span \
class="tribe-events-calendar-list__event-date-tag-daynum tribe-common-h5 \
tribe-common-h4--min-medium">{event.start.day}</span></time></div>
<div class="tribe-events-calendar-list__event-wrapper tribe-common-g-col">
<header class="tribe-events-calendar-list__event-header"><div \
class="tribe-events-calendar-list__event-datetime-wrapper tribe-common-b2"><time \
class="tribe-events-calendar-list__event-datetime" datetime="{start_key(event.start.date())}">\
<span class="tribe-event-date-start">{long_date(event.start)} @ {clock(event.start)}</span> - \
<span class="tribe-event-time">{clock(event.end)}</span></time></div>
<h3 class="tribe-events-calendar-list__event-title tribe-common-h6 tribe-common-h4--min-medium"><a \
href="{base}{event.path}" title="{attr(event.title)}" rel="bookmark" \
class="tribe-events-calendar-list__event-title-link tribe-common-anchor-thin">\
{text(event.title)}</a></h3>
<address class="tribe-events-calendar-list__event-venue tribe-common-b2"><span \
class="tribe-events-calendar-list__event-venue-title tribe-common-b2--bold">\
{text(event.venue.name)}</span> <span class="tribe-events-calendar-list__event-venue-address">\
{text(event.venue.address)}</span></address></header>
<div class="tribe-events-calendar-list__event-description tribe-common-b2 \
tribe-common-a11y-hidden"><p>{excerpt}</p></div>
</div>
</article>"""


def render_day(site: CourierSite, base: str, day: date, canonical: str) -> str:
    """The day view: the day's events, or a note pointing at the next day that has some."""
    events = events_between(site, day, day)
    before = _shift_day(day, -1)
    after = _shift_day(day, 1)
    prev = day_url(base, before) if before else None
    nxt = day_url(base, after) if after else None
    label = long_date(day)
    if events:
        body = "\n".join(_event_summary(base, e) for e in events)
    else:
        upcoming = [e for e in site.events if e.start.date() > day]
        jump = (
            f' Jump to the <a href="{day_url(base, upcoming[0].start.date())}" '
            'class="tribe-events-c-messages__message-list-item-link '
            'tribe-common-anchor-thin-alt" data-js="tribe-events-view-link">next upcoming '
            "events</a>."
            if upcoming
            else ""
        )
        body = (
            '<div class="tribe-events-c-messages"><div class="tribe-events-c-messages__message '
            'tribe-events-c-messages__message--notice" role="alert">'
            f"No events scheduled for {label}.{jump}</div></div>"
        )
    bottom = _bottom_nav(
        (prev, "Previous Day") if prev else None,
        (nxt, "Next Day") if nxt else None,
        (f"{base}/events/today/", "Today"),
    )
    inner = f"""{_view_header(base, "day", prev, nxt, f"{base}/events/today/", label)}
<div class="tribe-events-calendar-day">
<h2 class="tribe-events-calendar-day__type-separator tribe-common-h7 tribe-common-h6--min-medium \
tribe-common-h--alt">{label}</h2>
{body}
</div>
{bottom}
{_subscribe(base, canonical)}"""
    return _view_page(
        site, base, title=f"Events for {label}", canonical=canonical, view="day", inner=inner
    )


def list_window(site: CourierSite, start: date) -> tuple[list[Event], date | None]:
    """The list view from start: up to five events, and the date "Next Events" links to."""
    upcoming = [e for e in site.events if e.start.date() >= start]
    shown = upcoming[:LIST_SIZE]
    if len(upcoming) > LIST_SIZE:
        return shown, _shift_day(shown[-1].start.date(), 1)
    # past the last event the plugin still offers the next stretch of (empty) calendar
    return shown, _shift_day(start, LIST_STEP.days)


def render_list(site: CourierSite, base: str, start: date, canonical: str) -> str:
    """The list view from start, with endless "Previous Events"/"Next Events" links."""
    shown, following = list_window(site, start)
    before = _shift_day(start, -LIST_STEP.days)
    prev = list_url(base, before) if before else None
    nxt = list_url(base, following) if following else None
    if shown:
        body = "\n".join(_event_summary(base, e) for e in shown)
    else:
        body = (
            '<div class="tribe-events-c-messages"><div class="tribe-events-c-messages__message '
            'tribe-events-c-messages__message--notice" role="alert">'
            f"There are no upcoming events from {long_date(start)}.</div></div>"
        )
    bottom = _bottom_nav(
        (prev, "Previous Events") if prev else None,
        (nxt, "Next Events") if nxt else None,
        (f"{base}/events/list/", "Today"),
    )
    header = _view_header(
        base, "list", prev, nxt, f"{base}/events/list/", f"From {long_date(start)}"
    )
    inner = f"""{header}
<div class="tribe-events-calendar-list">
{body}
</div>
{bottom}
{_subscribe(base, canonical)}"""
    return _view_page(
        site, base, title="Upcoming Events", canonical=canonical, view="list", inner=inner
    )


def render_event(site: CourierSite, base: str, event: Event) -> str:
    """A single event page (post type tribe_events; not a news article)."""
    index = site.events.index(event)
    prev = site.events[index - 1] if index > 0 else None
    nxt = site.events[index + 1] if index + 1 < len(site.events) else None
    url = base + event.path
    google = (
        "https://www.google.com/calendar/event?action=TEMPLATE"
        f"&text={quote(event.title)}&dates={event.start:%Y%m%dT%H%M%S}/{event.end:%Y%m%dT%H%M%S}"
        f"&details={quote(event.paragraphs[0][:200])}&location={quote(event.venue.address)}"
        "&trp=false&ctz=America/Chicago"
    )
    maps = (
        f"https://maps.google.com/maps?f=q&source=s_q&hl=en&geocode=&q={quote(event.venue.address)}"
    )
    description = "\n".join(f"<p>{text(p)}</p>" for p in event.paragraphs)
    nav = ""
    if prev:
        nav += (
            f'<li class="tribe-events-nav-previous"><a href="{base}{prev.path}"><span>'
            f"&laquo;</span> {text(prev.title)}</a></li>"
        )
    if nxt:
        nav += (
            f'<li class="tribe-events-nav-next"><a href="{base}{nxt.path}">{text(nxt.title)} '
            "<span>&raquo;</span></a></li>"
        )
    main = f"""<section id="tribe-events-pg-template" class="tribe-events-pg-template">
<div class="tribe-events-before-html"></div><span class="tribe-events-ajax-loading"></span>
<div id="tribe-events-content" class="tribe-events-single">
<p class="tribe-events-back"><a href="{base}/events/"> &laquo; All Events</a></p>
<h1 class="tribe-events-single-event-title">{text(event.title)}</h1>
<div class="tribe-events-schedule tribe-clearfix"><div><span class="tribe-event-date-start">\
{long_date(event.start)} @ {clock(event.start)}</span> - <span class="tribe-event-time">\
{clock(event.end)}</span></div><span class="tribe-events-cost">{text(event.cost)}</span></div>
<div id="post-{event.post_id}" class="post-{event.post_id} tribe_events type-tribe_events \
status-publish hentry">
<div class="tribe-events-single-event-description tribe-events-content">
{description}
</div>
<div class="tribe-events tribe-common"><div class="tribe-events-c-subscribe-dropdown__container">\
<ul class="tribe-events-c-subscribe-dropdown__list">
<li class="tribe-events-c-subscribe-dropdown__list-item"><a href="{attr(google)}" \
class="tribe-events-c-subscribe-dropdown__list-item-link" target="_blank" rel="noopener noreferrer \
nofollow noindex">Google Calendar</a></li>
<li class="tribe-events-c-subscribe-dropdown__list-item"><a href="{url}?ical=1" \
class="tribe-events-c-subscribe-dropdown__list-item-link" target="_blank" rel="noopener noreferrer \
nofollow noindex">iCalendar</a></li>
</ul></div></div>
<div class="tribe-events-single-section tribe-events-event-meta primary tribe-clearfix">
<div class="tribe-events-meta-group tribe-events-meta-group-details"><h2 \
class="tribe-events-single-section-title">Details</h2><dl><dt \
class="tribe-events-start-date-label">Date:</dt><dd><abbr class="tribe-events-abbr \
tribe-events-start-date published dtstart" title="{start_key(event.start.date())}">\
{long_date(event.start)}</abbr></dd>
<dt class="tribe-events-start-time-label">Time:</dt><dd><div class="tribe-events-abbr \
tribe-events-start-time published dtstart" title="{start_key(event.start.date())}">\
{clock(event.start)} - {clock(event.end)}</div></dd>
<dt class="tribe-events-event-cost-label">Cost:</dt><dd class="tribe-events-event-cost">\
{text(event.cost)}</dd></dl></div>
<div class="tribe-events-meta-group tribe-events-meta-group-venue"><h2 \
class="tribe-events-single-section-title">Venue</h2><dl><dt class="tribe-common-a11y-visual-hide">\
Venue:</dt><dd class="tribe-venue">{text(event.venue.name)}</dd><dt \
class="tribe-common-a11y-visual-hide">Address:</dt><dd class="tribe-venue-location"><address \
class="tribe-events-address"><span class="tribe-address">{text(event.venue.address)}</span> <a \
class="tribe-events-gmap" href="{attr(maps)}" title="Click to view a Google Map" target="_blank" \
rel="noreferrer noopener">+ Google Map</a></address></dd></dl></div>
</div>
</div>
<div id="tribe-events-footer"><nav class="tribe-events-nav-pagination" aria-label="Event \
Navigation"><ul class="tribe-events-sub-nav">{nav}</ul></nav></div>
</div>
<div class="tribe-events-after-html"></div>
</section>"""
    body_class = (
        f"tribe_events-template-default single single-tribe_events postid-{event.post_id} "
        "tribe-events-page-template tribe-no-js tribe-filter-live events-single "
        "tribe-events-style-full tribe-events-style-theme"
    )
    head_extra = f"<link rel='shortlink' href='{base}/?p={event.post_id}' />\n"
    return theme.layout(
        site,
        base,
        title=event.title,
        canonical=url,
        body_class=body_class,
        main=main,
        head_extra=head_extra,
    )


def _ics_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> list[str]:
    """RFC 5545 folding: lines of at most 75 characters, continued after a space."""
    parts = [line[:75]]
    rest = line[75:]
    while rest:
        parts.append(" " + rest[:74])
        rest = rest[74:]
    return parts


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y%m%dT%H%M%S}"


def render_ical(site: CourierSite, base: str, events: list[Event]) -> str:
    """An iCalendar export (?ical=1) of events, as the plugin writes it (CRLF lines)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{SITE_NAME} - ECPv6.3.7//NONSGML v1.0//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{SITE_NAME}",
        f"X-ORIGINAL-URL:{base}",
        f"X-WR-CALDESC:Events for {SITE_NAME}",
        "REFRESH-INTERVAL;VALUE=DURATION:PT1H",
        "X-PUBLISHED-TTL:PT1H",
        "BEGIN:VTIMEZONE",
        "TZID:America/Chicago",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:-0600",
        "TZOFFSETTO:-0500",
        "TZNAME:CDT",
        "DTSTART:20240310T080000",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0600",
        "TZNAME:CST",
        "DTSTART:20241103T070000",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]
    host = base.split("://", 1)[1]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART;TZID=America/Chicago:{_stamp(event.start)}",
            f"DTEND;TZID=America/Chicago:{_stamp(event.end)}",
            f"DTSTAMP:{_stamp(site.now)}",
            f"CREATED:{_stamp(site.now - timedelta(days=90))}Z",
            f"UID:{event.post_id}-{int(event.start.timestamp())}-{int(event.end.timestamp())}@"
            f"{host}",
            f"SUMMARY:{_ics_text(event.title)}",
            f"DESCRIPTION:{_ics_text(' '.join(event.paragraphs))}",
            f"URL:{base}{event.path}",
            f"LOCATION:{_ics_text(event.venue.name + ', ' + event.venue.address)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(part + "\r\n" for line in lines for part in _fold(line))
