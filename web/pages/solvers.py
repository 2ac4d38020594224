"""stub"""

from litestar import Controller


class SolverPages(Controller):
    pass
