"""Text of the target site's chrome (theme blocks, comment form, promo): never in clean text."""

SITE_CHROME = (
    "Join Voice of America",
    "Twitter I instagram",
    "Latest news",
    "Related news",
    "LEAVE A REPLY",
    "Please enter your comment!",
    "Please enter your name here",
    "Nation World News Desk",
    "fastest emerging",
    "Advertisement",
    "RELATED ARTICLES",
    "MORE FROM AUTHOR",
    "Save my name, email, and website",
    "Previous article",
)
COMMENT_FORM = ("LEAVE A REPLY", "Please enter your comment!", "Please enter your name here")
