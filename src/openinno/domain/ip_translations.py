"""Translations of the IP agreement templates, for reading only.

The binding text of an agreement is the one drafted from its template, in the
template's language (``IpTemplate.language``), and its SHA-256 is what both sides
sign.  A translation here helps a party read it in their own language; it is
never signed, never hashed and never evidence.  A translation belongs to one
template version: a new version of a template needs its own translations, and
until it has them the page shows none (never the previous version's)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReadingTranslation:
    title: str
    body: str


# (template kind, template version, locale) -> the template's title and clauses.
READING_TRANSLATIONS: dict[tuple[str, int, str], ReadingTranslation] = {
    ("assignment", 1, "pl"): ReadingTranslation(
        "Umowa przeniesienia praw własności intelektualnej",
        """1. W zamian za powyższą płatność Autor przenosi na Sponsora wszelkie prawa,
tytuły i udziały, w tym wszelkie prawa własności intelektualnej, do zgłoszenia
wskazanego powyższym skrótem treści.
2. Przeniesienie staje się skuteczne, gdy obie strony podpiszą umowę, a
wynagrodzenie zostanie zapłacone.
3. Autor potwierdza, że zgłoszenie jest jego oryginalnym dziełem albo że posiada
prawa potrzebne do jego przeniesienia.
""",
    ),
    ("assignment", 1, "fr"): ReadingTranslation(
        "Contrat de cession de propriété intellectuelle",
        """1. En contrepartie du paiement ci-dessus, le Participant cède au Sponsor
l'ensemble des droits, titres et intérêts, y compris tous les droits de
propriété intellectuelle, sur la participation identifiée par l'empreinte de
contenu ci-dessus.
2. La cession prend effet lorsque les deux parties ont signé et que la
contrepartie a été payée.
3. Le Participant confirme que la participation est son œuvre originale, ou
qu'il détient les droits nécessaires pour la céder.
""",
    ),
    ("assignment", 1, "es"): ReadingTranslation(
        "Contrato de cesión de propiedad intelectual",
        """1. A cambio del pago indicado arriba, el Participante cede al Patrocinador
todos los derechos, títulos e intereses, incluidos todos los derechos de
propiedad intelectual, sobre la participación identificada por el hash de
contenido indicado arriba.
2. La cesión surte efecto cuando ambas partes han firmado y se ha pagado la
contraprestación.
3. El Participante confirma que la participación es obra original suya, o que
posee los derechos necesarios para cederla.
""",
    ),
    ("assignment", 1, "ru"): ReadingTranslation(
        "Договор об отчуждении интеллектуальной собственности",
        """1. В обмен на указанную выше выплату Автор передаёт Спонсору все права,
правовой титул и интересы, включая все права интеллектуальной собственности,
на заявку, определённую указанным выше хешем содержимого.
2. Отчуждение вступает в силу, когда обе стороны подписали договор и
вознаграждение выплачено.
3. Автор подтверждает, что заявка является его оригинальным произведением или
что он обладает правами, необходимыми для её отчуждения.
""",
    ),
    ("exclusive_licence", 1, "pl"): ReadingTranslation(
        "Umowa licencji wyłącznej",
        """1. W zamian za powyższą płatność Autor udziela Sponsorowi wyłącznej,
ogólnoświatowej, bezterminowej licencji na korzystanie ze zgłoszenia wskazanego
powyższym skrótem treści, jego modyfikowanie i komercjalizację.
2. Licencja staje się skuteczna, gdy obie strony podpiszą umowę, a
wynagrodzenie zostanie zapłacone. Autor zachowuje prawo własności.
""",
    ),
    ("exclusive_licence", 1, "fr"): ReadingTranslation(
        "Contrat de licence exclusive",
        """1. En contrepartie du paiement ci-dessus, le Participant concède au Sponsor
une licence exclusive, mondiale et perpétuelle d'utilisation, de modification
et d'exploitation commerciale de la participation identifiée par l'empreinte de
contenu ci-dessus.
2. La licence prend effet lorsque les deux parties ont signé et que la
contrepartie a été payée. Le Participant reste propriétaire.
""",
    ),
    ("exclusive_licence", 1, "es"): ReadingTranslation(
        "Contrato de licencia exclusiva",
        """1. A cambio del pago indicado arriba, el Participante otorga al Patrocinador
una licencia exclusiva, mundial y perpetua para usar, modificar y explotar
comercialmente la participación identificada por el hash de contenido indicado
arriba.
2. La licencia surte efecto cuando ambas partes han firmado y se ha pagado la
contraprestación. El Participante conserva la titularidad.
""",
    ),
    ("exclusive_licence", 1, "ru"): ReadingTranslation(
        "Договор исключительной лицензии",
        """1. В обмен на указанную выше выплату Автор предоставляет Спонсору
исключительную, всемирную, бессрочную лицензию на использование, изменение и
коммерческое использование заявки, определённой указанным выше хешем
содержимого.
2. Лицензия вступает в силу, когда обе стороны подписали договор и
вознаграждение выплачено. Право собственности остаётся за Автором.
""",
    ),
    ("solver_retains", 1, "pl"): ReadingTranslation(
        "Umowa licencji niewyłącznej (prawo własności zachowuje Autor)",
        """1. Autor zachowuje wszelkie prawa do zgłoszenia wskazanego powyższym skrótem
treści i udziela Sponsorowi niewyłącznej, ogólnoświatowej, nieodpłatnej licencji
na korzystanie z niego na potrzeby wyzwania i informowania o nim.
2. Licencja staje się skuteczna, gdy obie strony podpiszą umowę.
""",
    ),
    ("solver_retains", 1, "fr"): ReadingTranslation(
        "Contrat de licence non exclusive (le Participant reste propriétaire)",
        """1. Le Participant conserve tous les droits sur la participation identifiée par
l'empreinte de contenu ci-dessus et concède au Sponsor une licence non
exclusive, mondiale et gratuite pour l'utiliser aux fins du défi et de sa
promotion.
2. La licence prend effet lorsque les deux parties ont signé.
""",
    ),
    ("solver_retains", 1, "es"): ReadingTranslation(
        "Contrato de licencia no exclusiva (el Participante conserva la titularidad)",
        """1. El Participante conserva todos los derechos sobre la participación
identificada por el hash de contenido indicado arriba y otorga al Patrocinador
una licencia no exclusiva, mundial y gratuita para usarla con los fines del
reto y de su difusión.
2. La licencia surte efecto cuando ambas partes han firmado.
""",
    ),
    ("solver_retains", 1, "ru"): ReadingTranslation(
        "Договор неисключительной лицензии (право собственности сохраняет Автор)",
        """1. Автор сохраняет все права на заявку, определённую указанным выше хешем
содержимого, и предоставляет Спонсору неисключительную, всемирную,
безвозмездную лицензию на её использование в целях конкурса и рассказа о нём.
2. Лицензия вступает в силу, когда обе стороны подписали договор.
""",
    ),
}


def reading_translation(
    kind: str, version: int, binding_language: str, locale: str
) -> ReadingTranslation | None:
    """A translation for a reader of ``locale``, or None where the binding text is
    already in that language or no translation of this version exists."""
    if locale == binding_language:
        return None
    return READING_TRANSLATIONS.get((kind, version, locale))
