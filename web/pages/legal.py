"""stub"""

from litestar import Controller


class LegalPages(Controller):
    pass
