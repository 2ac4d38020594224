"""Files derived from the uploaded originals: blind copies (identifying metadata
removed) and previews.  ``store`` says where they live, ``blind`` and ``previews``
how they are made, ``follower`` when (in the background, from the log)."""

from openinno.derivatives.store import BlindCopy, DerivedFiles, PreviewStatus

__all__ = ["BlindCopy", "DerivedFiles", "PreviewStatus"]
