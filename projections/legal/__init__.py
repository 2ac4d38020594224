"""Legal read model: chain of title, stream history, agreements by state."""

from projections.legal.projection import PROJECTION

__all__ = ["PROJECTION"]
