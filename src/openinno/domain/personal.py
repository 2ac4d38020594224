"""What a reader sees of personal data that was erased (decision 0032)."""

from __future__ import annotations

# Stands in for any personal string whose key was shredded: the mapper decodes such a
# field as this marker, and an erased account's name and e-mail become it.  Pages
# translate it ("erased"); it is never a valid name, e-mail or text a person could enter
# (check_text refuses the brackets' context nowhere, but nothing compares to it but this).
ERASED = "[erased]"


def is_erased(value: object) -> bool:
    return value == ERASED
