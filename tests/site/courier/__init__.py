"""The Riverside Courier: a second replica news site, built differently from tests/site/."""
