"""stub"""

from litestar import Controller


class SponsorPages(Controller):
    pass
