"""stub"""

from litestar import Controller


class ReviewerPages(Controller):
    pass
