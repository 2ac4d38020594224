"""Demo data for `openinno demo`: four challenges modelled on the campaigns the
seed articles describe, a cast for every role, and enough history that each
role has something to look at.

- a LEGO-Ideas-like product ideas challenge: public gallery, public support with
  a 10,000-supporter threshold, open for entries now;
- a Doritos-like ad contest: closed three days ago, a jury shortlist is out and
  the public vote is running;
- a GE-ecomagination-like open innovation challenge ("Power your home"): private
  gallery, assignment of IP, open for entries, deadline already extended once;
- a logo contest that ran to the end: awarded, identities revealed, the winner's
  IP assignment signed, countersigned, paid and transferred; the runner-up's
  agreement waits for the sponsor's countersignature.  Its terms promise the
  winner 5 % of the net sales of merchandise with the logo (issue 29): the sponsor
  committed to produce it, production started, two sales reports for November,
  a royalty statement computed from them and its payout.

Every demo account shares one published password.  That is acceptable only
because this is demo data: never load it into a store real people use.

Idempotent: a second run finds the demo sponsor's account and changes nothing.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

from msgspec.structs import replace

from openinno.application import OpenInno
from openinno.clock import ManualClock
from openinno.domain.errors import InvalidState
from openinno.domain.values import (
    AfterTheWin,
    ChallengeSpec,
    Criterion,
    Prize,
    RoyaltyTerms,
    Voting,
)
from openinno.files import Upload

DEMO_DOMAIN = "demo.openinno.org"
# Public on purpose: demo data only (see the module docstring and the printed notice).
DEMO_PASSWORD = "openinno-demo"
# How far back the story starts, relative to the clock's "now".
STORY_DAYS = 120


@dataclass(frozen=True)
class DemoAccount:
    key: str
    display_name: str
    role: str
    locale: str
    time_zone: str
    # The name given at sign-up, where the story changes it later (ProfileUpdated).
    registered_as: str = ""

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "sponsor",
        "Ingrid Holm",
        "sponsor owner (all four organisations)",
        "en",
        "Europe/Copenhagen",
    ),
    DemoAccount(
        "manager",
        "Tomasz Wiśniewski",
        "sponsor manager (all four organisations)",
        "pl",
        "Europe/Warsaw",
    ),
    DemoAccount(
        "legal",
        "Claire Dubois",
        "sponsor legal (countersigns IP agreements)",
        "fr",
        "Europe/Paris",
    ),
    DemoAccount(
        "solver.es",
        "Lucía Fernández",
        "solver (won the logo contest: agreement done)",
        "es",
        "Europe/Madrid",
    ),
    DemoAccount(
        "solver.ru",
        "Дмитрий Соколов",
        "solver (logo runner-up: agreement pending)",
        "ru",
        "Asia/Yekaterinburg",
    ),
    DemoAccount(
        "solver.pl",
        "Zofia Nowak",
        "solver (ideas, ad, energy entries)",
        "pl",
        "Europe/Warsaw",
    ),
    DemoAccount(
        "solver.fr",
        "Amélie Tremblay",
        "solver (ad finalist, team energy entry)",
        "fr",
        "America/Toronto",
    ),
    DemoAccount(
        "solver.en",
        "Samuel Okafor",
        "solver (entries in every challenge)",
        "en",
        "Africa/Lagos",
        registered_as="Sam Okafor",
    ),
    DemoAccount(
        "solver.mx",
        "Diego Ramírez",
        "solver and supporter (ad entry, votes)",
        "es",
        "America/Mexico_City",
    ),
    DemoAccount(
        "reviewer.en",
        "Helen Marsh",
        "reviewer (logo, ad jury, energy, ideas)",
        "en",
        "Europe/London",
    ),
    DemoAccount(
        "reviewer.ru",
        "Ольга Иванова",
        "reviewer (ad jury, energy; one conflict declared)",
        "ru",
        "Europe/Moscow",
    ),
    DemoAccount(
        "reviewer.es",
        "Marta Gil",
        "reviewer (logo; energy invitation pending)",
        "es",
        "America/Argentina/Buenos_Aires",
    ),
    DemoAccount(
        "supporter",
        "Kasia Zielińska",
        "community member (votes, asks questions)",
        "pl",
        "Europe/Warsaw",
    ),
    DemoAccount("admin", "Jonas Berg", "platform admin", "en", "UTC"),
)

SPONSOR_EMAIL = f"sponsor@{DEMO_DOMAIN}"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"

DEMO_CHALLENGES: tuple[tuple[str, str], ...] = (
    (
        "Brickhaven Ideas: design our next building set",
        "Brickhaven Toys; product ideas, public gallery, public support with a 10,000-"
        "supporter threshold; open for entries",
    ),
    (
        "Crash the Final : votre pub de 30 secondes",
        "Crunchwave Snacks; ad contest, jury shortlist then public vote; closed, vote running",
    ),
    (
        "Power Your Home: ideas for using less energy at home",
        "Voltaria Energy; open innovation, private gallery, IP assignment; open for entries",
    ),
    (
        "Un logotipo para Encuentros Abiertos",
        "Encuentros Abiertos; logo contest; awarded, winner's IP assignment signed, "
        "countersigned, paid and transferred",
    ),
)


def load_demo(app: OpenInno) -> str:
    """Load the demo story once; on later runs change nothing.  Returns how to sign in."""
    if app.account_id_for_email(SPONSOR_EMAIL) is not None:
        # The last step of the story makes the admin an admin: if that is missing,
        # an earlier load stopped part way and the store holds half a demo.
        admin_id = app.account_id_for_email(ADMIN_EMAIL)
        if admin_id is None or not app.get_account(admin_id).is_admin:
            raise InvalidState(
                "An earlier demo load stopped part way; load the demo into an empty store."
            )
        return "Demo data is already loaded; nothing was changed.\n\n" + login_text()

    # The story has a past: the logo contest closed, was judged, awarded and paid
    # weeks ago, and the ad contest closed three days ago.  Commands read the time
    # only through `app.clock` (deadline guards and event timestamps), so the story
    # is played in order on a manual clock that starts STORY_DAYS ago and stops at
    # "now"; the real clock is put back afterwards.  Run it while nothing else uses
    # this application object (the `openinno demo` command owns its own).
    real_clock = app.clock
    now = real_clock.now()
    story_clock = ManualClock(now - timedelta(days=STORY_DAYS))
    app.clock = story_clock
    try:
        _Story(app, story_clock, now).play()
    finally:
        app.clock = real_clock
    return "Demo data loaded.\n\n" + login_text()


def login_text() -> str:
    width = max(len(a.email) for a in DEMO_ACCOUNTS) + 2
    name_width = max(len(a.display_name) for a in DEMO_ACCOUNTS) + 2
    lines = [
        "Sign in with any of these demo accounts; they all share the password:",
        "",
        f"    {DEMO_PASSWORD}",
        "",
        "This fixed password is printed here and written in the source. It is",
        "acceptable only because this is demo data: do not load the demo into a store",
        "real people use, and deactivate the demo accounts on any server others can reach.",
        "",
        f"{'email'.ljust(width)}{'name'.ljust(name_width)}{'language':<10}{'time zone':<32}role",
    ]
    for a in DEMO_ACCOUNTS:
        lines.append(
            f"{a.email.ljust(width)}{a.display_name.ljust(name_width)}"
            f"{a.locale:<10}{a.time_zone:<32}{a.role}"
        )
    lines += ["", "Challenges:"]
    lines += [f"  - {title}\n      {what}" for title, what in DEMO_CHALLENGES]
    return "\n".join(lines) + "\n"


# --- small generated files ----------------------------------------------------------------

Pixel = Callable[[int, int], tuple[int, int, int]]


def _png(size: int, pixel: Pixel) -> bytes:
    """A tiny RGB PNG drawn by `pixel(x, y)`; enough to give logo entries real images."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(
        b"\x00" + bytes(c for x in range(size) for c in pixel(x, y)) for y in range(size)
    )
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


WHITE = (255, 255, 255)


def _bridge(arch: tuple[int, int, int], second: tuple[int, int, int]) -> Pixel:
    def pixel(x: int, y: int) -> tuple[int, int, int]:
        for cx, colour in ((34, arch), (62, second)):
            d = ((x - cx) ** 2 + (y - 70) ** 2) ** 0.5
            if 22 <= d <= 28 and y <= 70:
                return colour
        return WHITE

    return pixel


def _dots(x: int, y: int) -> tuple[int, int, int]:
    if (x % 24 - 12) ** 2 + (y % 24 - 12) ** 2 <= 20:
        return (200, 30, 60)
    if y % 24 == 12 or x % 24 == 12:
        return (120, 120, 120)
    return WHITE


def _weave(x: int, y: int) -> tuple[int, int, int]:
    if (x + y) // 8 % 2 == 0 and (x - y) // 8 % 3 != 0:
        return (20, 110, 60)
    return WHITE


def _ring(x: int, y: int) -> tuple[int, int, int]:
    d = ((x - 48) ** 2 + (y - 48) ** 2) ** 0.5
    return (240, 150, 20) if 26 <= d <= 36 and not (x > 60 and 40 < y < 56) else WHITE


def _text(name: str, body: str) -> Upload:
    return Upload.of_bytes(name, body.encode(), "text/plain")


# --- the story ------------------------------------------------------------------------------

# Addresses from the documentation ranges (RFC 5737): signatures record an IP address.
DOC_IPS = ("203.0.113.24", "198.51.100.7", "192.0.2.45")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


class _Story:
    """The demo, told in chronological chapters: the story clock only moves forward,
    so every stream's events come in time order, as they would in real use."""

    def __init__(self, app: OpenInno, clock: ManualClock, now: datetime) -> None:
        self.app = app
        self.clock = clock
        self.now = now
        self.ids: dict[str, UUID] = {}
        self.terms: dict[str, str] = {}

    def play(self) -> None:
        self.people_and_sponsors()  # days -120 .. -110
        self.logo_contest_opens()  # -100 .. -80
        self.ad_contest_opens()  # -62 .. -57
        self.logo_contest_judged_and_paid()  # -55 .. -38
        self.logo_goes_into_production()  # -37.5
        self.ad_contest_entries()  # -36 .. -31
        self.energy_challenge_opens()  # -30 .. -27
        self.ideas_challenge_opens()  # -20 .. -18
        self.entries_in_open_challenges()  # -15 .. -11
        self.energy_deadline_and_reviews()  # -10 .. -6
        self.logo_merchandise_royalties()  # -5.45 .. -5.2
        self.ad_contest_jury_and_shortlist()  # -5 .. -1
        self.public_support()  # -1 .. 0, after the shortlist
        self.finish()  # now

    # plumbing

    def at(self, days: float, hours: float = 0) -> None:
        """Move the story clock to `days` (negative: in the past) relative to now."""
        moment = self.now + timedelta(days=days, hours=hours)
        if moment < self.clock.now():
            raise AssertionError("the demo story must run forward in time")
        self.clock.set(moment)

    def tick(self, minutes: int = 7) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    def day(self, days: float) -> datetime:
        return self.now + timedelta(days=days)

    def __getitem__(self, key: str) -> UUID:
        return self.ids[key]

    def submit(
        self,
        key: str,
        solver: str,
        challenge: str,
        title: str,
        summary: str,
        files: list[Upload],
        team: tuple[str, ...] = (),
    ) -> None:
        team_id = None
        if team:
            # A team: each member on it by their own acceptance of the terms (issue 21).
            team_id = self.app.form_team(
                self[solver], self[challenge], title[:100], [str(self[m]) for m in team]
            ).id
            for member in team:
                self.app.accept_team_invitation(self[member], team_id, self.terms[challenge])
        self.ids[key] = self.app.submit(
            self[solver],
            self[challenge],
            title,
            summary,
            self.terms[challenge],
            files=files,
            team_id=team_id,
        ).id

    def qa(self, challenge: str, asker: str, question: str, answer: str, hours: int = 4) -> None:
        question_id = self.app.ask_question(self[asker], self[challenge], question).id
        self.tick(60 * hours)
        self.app.answer_question(self["manager"], self[challenge], question_id, answer)

    def support(self, voter: str, entry: str) -> None:
        self.app.support(self[voter], self[entry])
        self.tick(23)

    # chapters

    def people_and_sponsors(self) -> None:
        app = self.app
        self.at(-STORY_DAYS)
        for account in DEMO_ACCOUNTS:
            self.ids[account.key] = app.register_account(
                account.email,
                DEMO_PASSWORD,
                account.registered_as or account.display_name,
                locale=account.locale,
                time_zone=account.time_zone,
            ).id
            self.tick(13)
        self.at(-118)
        for key, name in (
            ("org.bricks", "Brickhaven Toys"),
            ("org.snacks", "Crunchwave Snacks"),
            ("org.energy", "Voltaria Energy"),
            ("org.meetups", "Encuentros Abiertos"),
        ):
            self.ids[key] = app.create_organisation(self["sponsor"], name).id
            self.tick()
            app.add_member(self["sponsor"], self[key], self["manager"], "manager")
            self.tick()
            app.add_member(self["sponsor"], self[key], self["legal"], "legal")
            self.tick()
        self.at(-110)
        # Sam signed up with a short name and later gave his full name.
        sam = next(a for a in DEMO_ACCOUNTS if a.key == "solver.en")
        app.update_profile(self[sam.key], sam.display_name, sam.locale, sam.time_zone)

    def logo_contest_opens(self) -> None:
        app = self.app
        self.at(-100)
        logo = app.draft_challenge(self["manager"], self["org.meetups"], self.logo_spec()).id
        self.ids["logo"] = logo
        self.tick(45)
        self.terms["logo"] = app.publish_challenge(self["manager"], logo).terms_sha256
        self.tick()
        for reviewer in ("reviewer.en", "reviewer.es"):
            app.invite_reviewer(self["manager"], logo, self[reviewer])
            self.tick()
        self.at(-99)
        app.accept_reviewer_invitation(self["reviewer.en"], logo)
        self.tick(180)
        app.accept_reviewer_invitation(self["reviewer.es"], logo)

        self.at(-95)
        self.qa(
            "logo",
            "solver.es",
            "¿El logotipo tiene que funcionar en un solo color, o basta con la versión a "
            "color? ¿Podemos usar el nombre completo o solo las iniciales?",
            "Tiene que funcionar también en un solo color (blanco sobre negro para las "
            "camisetas). El nombre completo o las iniciales «EA»: las dos opciones valen.",
        )
        self.at(-93)
        app.post_announcement(
            self["manager"],
            logo,
            "Hemos publicado los colores actuales de la comunidad (#1B4F9C y #F08C14) por "
            "si queréis usarlos; no es obligatorio. ¡Gracias por las primeras propuestas!",
        )

        self.at(-90)
        self.submit(
            "logo.lucia",
            "solver.es",
            "logo",
            "Puentes",
            "Dos arcos que se tocan: la comunidad como puente entre personas. Funciona en "
            "un solo color.",
            [Upload.of_bytes("puentes.png", _png(96, _bridge((27, 79, 156), (27, 79, 156))))],
        )
        self.at(-85)
        for key, solver, title, summary, name, image in (
            (
                "logo.dmitry",
                "solver.ru",
                "Точки соединения",
                "Сетка точек, соединённых линиями: каждая встреча — новая связь. Хорошо "
                "читается в маленьком размере.",
                "tochki.png",
                _png(96, _dots),
            ),
            (
                "logo.zofia",
                "solver.pl",
                "Splot",
                "Splot nici: wiele osób, jedna tkanina. Jednokolorowy znak, łatwy do "
                "haftowania na koszulkach.",
                "splot.png",
                _png(96, _weave),
            ),
            (
                "logo.sam",
                "solver.en",
                "Open circle",
                "A circle left open on one side: the meetup always has room for one more "
                "person. Works at 16 px as a favicon.",
                "open-circle.png",
                _png(96, _ring),
            ),
        ):
            self.submit(key, solver, "logo", title, summary, [Upload.of_bytes(name, image)])
            self.tick(95)
        self.at(-80)
        app.revise_submission(
            self["solver.es"],
            self["logo.lucia"],
            "Puentes",
            "Dos arcos que se tocan: la comunidad como puente entre personas. Versión 2: el "
            "segundo arco en el naranja de la comunidad; la versión en un solo color se "
            "mantiene.",
            files=[
                Upload.of_bytes("puentes.png", _png(96, _bridge((27, 79, 156), (240, 140, 20))))
            ],
        )

    def ad_contest_opens(self) -> None:
        app = self.app
        self.at(-62)
        ad = app.draft_challenge(self["manager"], self["org.snacks"], self.ad_spec()).id
        self.ids["ad"] = ad
        self.tick(30)
        self.terms["ad"] = app.publish_challenge(self["sponsor"], ad).terms_sha256
        self.tick()
        for reviewer in ("reviewer.en", "reviewer.ru"):
            app.invite_reviewer(self["manager"], ad, self[reviewer])
            self.tick()
        self.at(-61)
        app.accept_reviewer_invitation(self["reviewer.ru"], ad)
        self.tick(60)
        app.accept_reviewer_invitation(self["reviewer.en"], ad)
        self.at(-57)
        self.qa(
            "ad",
            "solver.fr",
            "Peut-on utiliser une musique sous licence Creative Commons BY, en créditant "
            "l'artiste à la fin du spot ?",
            "Non : seulement CC0 ou une musique dont vous avez acheté la licence pour la "
            "télévision. Un crédit à l'écran ne suffit pas pour une diffusion nationale.",
            hours=5,
        )

    def logo_contest_judged_and_paid(self) -> None:
        app = self.app
        logo = self["logo"]
        self.at(-55)
        scores: dict[str, dict[str, tuple[int, int, int, str]]] = {
            "reviewer.en": {
                "logo.lucia": (9, 8, 9, "Clear idea, reads well at small sizes."),
                "logo.dmitry": (8, 8, 8, "Strong at small sizes; a little generic."),
                "logo.zofia": (7, 6, 8, "Lovely for embroidery; busy on screens."),
                "logo.sam": (6, 9, 6, "Very legible; the idea is common."),
            },
            "reviewer.es": {
                "logo.lucia": (8, 9, 10, "Representa muy bien a la comunidad."),
                "logo.dmitry": (8, 7, 8, "Buena idea de red."),
                "logo.zofia": (8, 6, 7, "Original, pero pierde detalle en tamaño pequeño."),
                "logo.sam": (5, 9, 6, "Muy legible; poco distintivo."),
            },
        }
        for reviewer, entries in scores.items():
            for entry, (originality, legibility, fit, comment) in entries.items():
                app.record_review(
                    self[reviewer],
                    self[entry],
                    {
                        "originalidad": originality,
                        "legibilidad": legibility,
                        "encaje con la comunidad": fit,
                    },
                    comment,
                )
                self.tick(25)
        self.at(-54)
        # A second look: the history shows ScoresRevised next to ScoresRecorded.
        app.record_review(
            self["reviewer.en"],
            self["logo.dmitry"],
            {"originalidad": 8, "legibilidad": 9, "encaje con la comunidad": 8},
            "Strong at small sizes; checked it as a favicon: excellent.",
        )

        self.at(-45, hours=-2)
        # Announcements are refused once a challenge is awarded, so the sponsor
        # announces the decision just before recording it.
        app.post_announcement(
            self["manager"],
            logo,
            "El jurado ha terminado. Mañana publicamos los premios: gracias a las cuatro "
            "personas que participaron con sus propuestas.",
        )
        self.at(-44)
        awarded = app.award(
            self["manager"], logo, [(self["logo.lucia"], 1), (self["logo.dmitry"], 2)]
        )
        winner, runner_up = awarded.agreement_ids
        self.tick(20)
        app.reveal_identities(self["manager"], logo)

        self.at(-42)
        app.sign_agreement(
            self["solver.es"],
            winner,
            "Lucía Fernández García",
            "Acepto y firmo este acuerdo de cesión de derechos.",
            app.get_agreement(self["solver.es"], winner).text_sha256,
            ip_address=DOC_IPS[0],
            user_agent=BROWSER,
        )
        self.at(-41)
        app.sign_agreement(
            self["solver.ru"],
            runner_up,
            "Дмитрий Андреевич Соколов",
            "Я согласен с условиями и подписываю это соглашение.",
            app.get_agreement(self["solver.ru"], runner_up).text_sha256,
            ip_address=DOC_IPS[1],
            user_agent=BROWSER,
        )
        self.at(-40)
        app.countersign_agreement(
            self["legal"],
            winner,
            "Claire Dubois",
            "I countersign this assignment on behalf of Encuentros Abiertos.",
            app.get_agreement(self["legal"], winner).text_sha256,
            ip_address=DOC_IPS[2],
            user_agent=BROWSER,
        )
        self.at(-38)
        # Signed, countersigned and paid: the assignment records OwnershipTransferred.
        app.record_payment(self["manager"], winner, "SEPA ES-2026-0412-EA-001")
        # The runner-up's agreement is signed by the solver and waits for the
        # sponsor's countersignature: something for legal@ to do.

    def logo_goes_into_production(self) -> None:
        """After the win (issue 29): the rights passed, the sponsor commits to a line of
        merchandise with the logo (LEGO Ideas' "goes into production")."""
        self.at(-37.5)
        winner = self.app.get_challenge(self["logo"], self["manager"]).awards[0].agreement_id
        self.ids["logo.agreement"] = winner
        self.app.commit_to_produce(
            self["manager"],
            winner,
            self._date(-20),
            "Camisetas y tazas con el logotipo, en la tienda en línea y en cada encuentro.",
        )

    def _date(self, days: float) -> date:
        return self.day(days).date()

    def logo_merchandise_royalties(self) -> None:
        """November's merchandise sales, reported by market; the statement computed from
        them (5 % of 3,245.00 EUR) and paid."""
        app, agreement, manager = self.app, self["logo.agreement"], self["manager"]
        self.at(-5.45)
        app.start_production(manager, agreement, self._date(-24))
        self.tick(30)
        period = self.day(-8).strftime("%Y-%m")  # the month that ended last week
        app.report_sales(manager, agreement, period, 142, "2485.00", "EUR", "Tienda en línea")
        self.tick(12)
        app.report_sales(
            manager, agreement, period, 38, "760.00", "EUR", "Puesto en los encuentros"
        )
        self.at(-5.3)
        statement = app.state_royalty(self["legal"], agreement, period).id
        self.at(-5.2)
        app.pay_royalty(manager, agreement, statement, "162.25", "EUR", "SEPA ES-2026-1130-EA-ROY")

    def ad_contest_entries(self) -> None:
        app = self.app
        entries = (
            (
                "ad.amelie",
                "solver.fr",
                "La dernière chips",
                "Un repas de famille. Il reste une chips dans le bol. Ralenti façon western, "
                "harmonica (CC0). Le chat la mange. Logo. 30 s.",
            ),
            (
                "ad.zofia",
                "solver.pl",
                "Cisza w bibliotece",
                "Biblioteka, absolutna cisza. Ktoś otwiera paczkę chipsów Crunchwave — "
                "wszyscy czytelnicy odwracają się... i wyciągają ręce. 28 s.",
            ),
            (
                "ad.diego",
                "solver.mx",
                "El portero",
                "Un portero de fútbol llanero detiene todos los penaltis mientras come "
                "Crunchwave; cuando se acaba la bolsa, no para ninguno. 30 s.",
            ),
            (
                "ad.sam",
                "solver.en",
                "Halftime heist",
                "Two friends plan the perfect heist on the snack table during the halftime "
                "break; grandma is already holding the bag. 30 s.",
            ),
            (
                "ad.dmitry",
                "solver.ru",
                "Снежный эффект",
                "Зимний двор, снежная баба с пачкой Crunchwave. Хруст слышен на весь "
                "район. Музыка: известная поп-песня. 30 с.",
            ),
        )
        # One entry a day from day -36.
        for day, (key, solver, title, board) in enumerate(entries, start=-36):
            self.at(day)
            story = [_text("storyboard.txt", f"{title}\n\n{board}\n")]
            self.submit(key, solver, "ad", title, board, story)
        self.at(-31)
        app.post_announcement(
            self["manager"],
            self["ad"],
            "Rappel : 30 secondes maximum, générique compris. Les films plus longs ne "
            "pourront pas être diffusés.",
        )

    def energy_challenge_opens(self) -> None:
        app = self.app
        self.at(-30)
        spec = self.energy_spec()
        energy = app.draft_challenge(self["manager"], self["org.energy"], spec).id
        self.ids["energy"] = energy
        self.at(-29)
        # The draft is edited before publishing: rules made explicit, a third prize.
        spec = replace(
            spec,
            rules=(
                "Up to two entries per solver. Entries are private: only Voltaria Energy "
                "and its reviewers see them. Winners assign all rights in their entry to "
                "Voltaria Energy by signing the agreement; the assignment takes effect "
                "when both sides have signed and the prize is paid."
            ),
            prizes=(*spec.prizes, Prize(3, Decimal("10000.00"), "USD")),
        )
        app.edit_challenge(self["manager"], energy, spec)
        self.at(-28)
        self.terms["energy"] = app.publish_challenge(self["sponsor"], energy).terms_sha256
        self.tick()
        for reviewer in ("reviewer.en", "reviewer.ru", "reviewer.es"):
            app.invite_reviewer(self["manager"], energy, self[reviewer])
            self.tick()
        self.at(-27)
        app.accept_reviewer_invitation(self["reviewer.en"], energy)
        self.tick(90)
        app.accept_reviewer_invitation(self["reviewer.ru"], energy)
        # reviewer.es has not answered yet: an invitation waiting to be accepted.

    def ideas_challenge_opens(self) -> None:
        app = self.app
        self.at(-20)
        ideas = app.draft_challenge(self["sponsor"], self["org.bricks"], self.ideas_spec()).id
        self.ids["ideas"] = ideas
        self.tick(20)
        self.terms["ideas"] = app.publish_challenge(self["sponsor"], ideas).terms_sha256
        self.tick()
        app.invite_reviewer(self["manager"], ideas, self["reviewer.en"])
        self.at(-19)
        app.accept_reviewer_invitation(self["reviewer.en"], ideas)
        self.at(-18)
        self.qa(
            "ideas",
            "solver.pl",
            "Czy zestaw może mieć więcej niż 3000 elementów? (Can a set have more than 3,000 "
            "parts?)",
            "Tak / Yes. There is no hard limit, but sets above 3,000 parts are rarely "
            "produced; tell us which parts could go in a smaller version.",
        )

    def entries_in_open_challenges(self) -> None:
        app = self.app
        self.at(-15)
        for key, solver, title, summary in (
            (
                "ideas.tram",
                "solver.pl",
                "Warsaw tram 13N",
                "Tramwaj Konstal 13N z lat 60., z otwieranymi drzwiami i przystankiem. About "
                "1,400 parts; runs on standard rails.",
            ),
            (
                "ideas.station",
                "solver.ru",
                "Orbital station «Мир»",
                "Станция «Мир» из семи модулей: each module can be built and played with on "
                "its own. About 2,100 parts.",
            ),
            (
                "ideas.sugarshack",
                "solver.fr",
                "Cabane à sucre",
                "A Québec sugar shack in spring: sap buckets, the evaporator with rising "
                "steam, and taffy on snow. About 900 parts.",
            ),
            (
                "ideas.lagoon",
                "solver.en",
                "Tidal power lagoon",
                "A working tidal lagoon: turn the crank to raise the sea and watch the "
                "turbines spin. Shows how tides make electricity. About 1,100 parts.",
            ),
            (
                "ideas.milkbar",
                "solver.pl",
                "Bar mleczny",
                "A Polish milk bar with a serving hatch and a menu board. About 700 parts.",
            ),
        ):
            self.submit(
                key,
                solver,
                "ideas",
                title,
                summary,
                [_text("parts-list.txt", f"{title}\n\n{summary}\n")],
            )
            self.tick(110)

        self.at(-13)
        for key, solver, team, title, summary in (
            (
                "energy.sam",
                "solver.en",
                (),
                "Shared heat pumps for terraced streets",
                "One ground-source heat pump serves a row of ten terraced houses through a "
                "shallow shared loop. Each household pays for metered heat; installation "
                "cost per home falls by about half compared with one pump per house.",
            ),
            (
                "energy.zofia",
                "solver.pl",
                (),
                "Smart radiator valves from refurbished parts",
                "Termostatyczne głowice z odzysku z prostym modułem radiowym: each room is "
                "heated only when someone is in it. Target price under 15 EUR a radiator.",
            ),
            (
                "energy.team",
                "solver.fr",
                ("solver.es",),
                "Solar and battery co-op for apartment blocks",
                "Residents of one block buy a shared rooftop array and battery as a "
                "co-operative (autoconsommation collective); an app shows when to run "
                "washing machines on solar power. Designed with a pilot in Madrid.",
            ),
            (
                "energy.dmitry",
                "solver.ru",
                (),
                "Per-flat heat metering for district heating",
                "Поквартирный учёт тепла: flats in older blocks on district heating pay by "
                "floor area, not by use. Clip-on meters and a monthly report cut use by "
                "10-20% in our pilot of 40 flats in Yekaterinburg.",
            ),
        ):
            self.submit(
                key,
                solver,
                "energy",
                title,
                summary,
                [_text("proposal.txt", f"{title}\n\n{summary}\n")],
                team=team,
            )
            self.tick(140)

        self.at(-12)
        app.withdraw_submission(
            self["solver.pl"],
            self["ideas.milkbar"],
            "Merging it into the tram set as a kiosk at the tram stop instead.",
        )
        self.at(-11)
        # Moderation is an event with a reason, never a deletion.
        hidden = app.ask_question(
            self["solver.mx"],
            self["ideas"],
            "Can I send my design by WhatsApp instead? My number is +52 55 0000 0000.",
        ).id
        self.tick(60)
        app.hide_question(
            self["manager"],
            self["ideas"],
            hidden,
            "Hidden because it shows a phone number; please ask again without personal data.",
        )
        self.tick(10)
        self.qa(
            "ideas",
            "solver.mx",
            "Can I send my design through another channel than the submission form?",
            "No: only entries sent through the form get a receipt and count. Photos of a "
            "physical model are fine.",
            hours=2,
        )

    def energy_deadline_and_reviews(self) -> None:
        app = self.app
        energy = self["energy"]
        self.at(-10)
        app.extend_deadline(
            self["manager"],
            energy,
            self.day(45),
            "We have extended the deadline by 15 days at the request of several university "
            "teams whose term ends later. The review period moves by 15 days too.",
        )
        self.at(-8)
        self.qa(
            "energy",
            "solver.ru",
            "Можно ли подать идею, которая уже проходит пилотное испытание, если патент "
            "ещё не оформлен? (Can an idea that is already in a pilot enter before a patent "
            "is filed?)",
            "Yes, and a pilot is welcome evidence. Only a winning entry's rights are "
            "assigned, and only by the signed agreement, so file whatever protection you "
            "need first.",
        )
        self.at(-6)
        app.record_review(
            self["reviewer.en"],
            self["energy.sam"],
            {"energy saved": 8, "feasibility": 7, "cost to households": 6},
            "Convincing numbers; shared loops will need a plan for planning permission.",
        )
        self.tick(40)
        app.record_review(
            self["reviewer.en"],
            self["energy.dmitry"],
            {"energy saved": 7, "feasibility": 9, "cost to households": 9},
            "Simple, cheap and already piloted.",
        )
        self.tick(120)
        app.declare_conflict(
            self["reviewer.ru"],
            self["energy.dmitry"],
            "Я консультировала этот пилотный проект (I advised this pilot project).",
        )
        self.tick(30)
        app.record_review(
            self["reviewer.ru"],
            self["energy.zofia"],
            {"energy saved": 6, "feasibility": 8, "cost to households": 9},
            "Дешёвое и понятное решение; нужно проверить срок службы батарей.",
        )

    def ad_contest_jury_and_shortlist(self) -> None:
        app = self.app
        ad = self["ad"]
        self.at(-5)
        app.disqualify_submission(
            self["manager"],
            self["ad.dmitry"],
            "Rule 2: the soundtrack is a commercial pop song without a broadcast licence.",
        )
        # Submissions closed at day -3; the jury scores, then shortlists.
        self.at(-2)
        jury: dict[str, dict[str, tuple[int, int, int, str]]] = {
            "reviewer.en": {
                "ad.amelie": (9, 8, 8, "The cat is the star. Clean, readable in 30 s."),
                "ad.zofia": (8, 9, 7, "Great use of silence; the crunch sells the product."),
                "ad.diego": (6, 7, 6, "Funny premise; the ending is unclear."),
                "ad.sam": (8, 7, 8, "Warm and funny; grandma steals it."),
            },
            "reviewer.ru": {
                "ad.amelie": (8, 8, 9, "Смешно и понятно без слов."),
                "ad.zofia": (9, 9, 7, "Отличная идея с тишиной."),
                "ad.diego": (7, 6, 6, "Хорошая идея, слабый финал."),
                "ad.sam": (7, 8, 8, "Тёплая семейная история."),
            },
        }
        for reviewer, entries in jury.items():
            for entry, (humour, brand, craft, comment) in entries.items():
                app.record_review(
                    self[reviewer],
                    self[entry],
                    {"humour": humour, "lien avec la marque": brand, "réalisation": craft},
                    comment,
                )
                self.tick(20)
        self.at(-1)
        app.publish_shortlist(
            self["manager"], ad, [self["ad.amelie"], self["ad.zofia"], self["ad.sam"]]
        )
        self.tick(15)
        app.post_announcement(
            self["manager"],
            ad,
            "Le jury a choisi trois finalistes : « La dernière chips », « Cisza w "
            "bibliotece » et « Halftime heist ». À vous de voter jusqu'à la fin de la "
            "période d'évaluation !",
        )

    def public_support(self) -> None:
        app = self.app
        self.at(-1, hours=2)
        for voter, entry in (
            ("supporter", "ideas.tram"),
            ("supporter", "ideas.station"),
            ("supporter", "ideas.lagoon"),
            ("solver.mx", "ideas.sugarshack"),
            ("solver.mx", "ideas.lagoon"),
            ("solver.es", "ideas.tram"),
            ("solver.fr", "ideas.tram"),
            ("solver.en", "ideas.station"),
            ("solver.ru", "ideas.lagoon"),
            ("solver.pl", "ideas.sugarshack"),
            ("reviewer.ru", "ideas.station"),
            ("reviewer.es", "ideas.sugarshack"),
            ("admin", "ideas.tram"),
            ("supporter", "ad.zofia"),
            ("solver.mx", "ad.amelie"),
            ("solver.es", "ad.amelie"),
            ("solver.ru", "ad.sam"),
            ("solver.pl", "ad.amelie"),
            ("solver.fr", "ad.zofia"),
            ("solver.en", "ad.amelie"),
            ("reviewer.es", "ad.sam"),
        ):
            self.support(voter, entry)
        self.tick(90)
        # A change of mind, and a second thought: Retracted, then Recast.
        app.retract_support(self["solver.mx"], self["ad.amelie"])
        self.tick(5)
        self.support("solver.mx", "ad.sam")
        app.retract_support(self["supporter"], self["ideas.lagoon"])
        self.tick(90)
        self.support("supporter", "ideas.lagoon")

    def finish(self) -> None:
        self.at(0)
        # Last on purpose: a loaded demo is recognised by this grant (see load_demo).
        self.app.grant_admin_as_operator(self["admin"])

    # the four challenges' terms

    def logo_spec(self) -> ChallengeSpec:
        return ChallengeSpec(
            title="Un logotipo para Encuentros Abiertos",
            brief=(
                "Encuentros Abiertos reúne cada mes en Madrid a personas que trabajan en "
                "tecnología para compartir ideas. Crowdsourcing viene del inglés crowd "
                "(multitud) y outsourcing (recursos externos): por eso pedimos a la "
                "comunidad el logotipo que nos represente. Buscamos un símbolo sencillo "
                "que funcione en una pantalla de móvil, en una camiseta y en una pancarta, "
                "en color y en un solo color. Entrega un PNG y una breve explicación."
            ),
            eligibility="Mayores de edad de cualquier país, personas o equipos.",
            rules=(
                "Hasta dos propuestas por persona. Trabajo original: nada de bancos de "
                "imágenes ni tipografías sin licencia comercial. Las propuestas se "
                "muestran en la galería pública. Las personas premiadas ceden todos los "
                "derechos a Encuentros Abiertos al firmar el acuerdo y cobrar el premio. "
                "Además, la persona ganadora recibe el 5 % de las ventas netas de los "
                "productos con el logotipo (camisetas, tazas), liquidado cada mes."
            ),
            prizes=(Prize(1, Decimal("1500.00"), "EUR"), Prize(2, Decimal("500.00"), "EUR")),
            criteria=(
                Criterion("originalidad", 30),
                Criterion("legibilidad", 30),
                Criterion("encaje con la comunidad", 40),
            ),
            opens_at=self.day(-98),
            closes_at=self.day(-60),
            review_ends_at=self.day(-45),
            max_submissions_per_solver=2,
            visibility="public",
            voting=Voting("none"),
            ip_terms="assignment",
            category="design",
            language="es",
            after_the_win=AfterTheWin(royalty=RoyaltyTerms(Decimal("5"), "month", "EUR")),
        )

    def ad_spec(self) -> ChallengeSpec:
        return ChallengeSpec(
            title="Crash the Final : votre pub de 30 secondes",
            brief=(
                "Imaginez la publicité de 30 secondes de nos chips Crunchwave qui passera "
                "pendant la finale. Ce sont nos clients qui créent le spot : un jury "
                "professionnel choisit les finalistes, puis le public vote pour le "
                "gagnant. Envoyez un storyboard ou votre vidéo (30 secondes maximum)."
            ),
            eligibility="Majeurs, résidents de l'Union européenne, du Canada ou du Mexique.",
            rules=(
                "1. Une seule vidéo par personne. 2. Musique libre de droits uniquement "
                "(CC0 ou licence de diffusion achetée). 3. Le jury choisit les finalistes "
                "après la clôture ; le vote du public reste ouvert jusqu'à la fin de la "
                "période d'évaluation. 4. Vous restez propriétaire de votre film ; "
                "Crunchwave reçoit une licence non exclusive pour le diffuser."
            ),
            prizes=(
                Prize(1, Decimal("25000.00"), "EUR"),
                Prize(2, Decimal("5000.00"), "EUR"),
                Prize(3, Decimal("2500.00"), "EUR"),
            ),
            criteria=(
                Criterion("humour", 40),
                Criterion("lien avec la marque", 30),
                Criterion("réalisation", 30),
            ),
            opens_at=self.day(-58),
            closes_at=self.day(-3),
            review_ends_at=self.day(14),
            max_submissions_per_solver=1,
            visibility="public",
            voting=Voting("shortlist_then_public"),
            ip_terms="solver_retains",
            category="marketing",
            language="fr",
        )

    def energy_spec(self) -> ChallengeSpec:
        return ChallengeSpec(
            title="Power Your Home: ideas for using less energy at home",
            brief=(
                "Homes use a large share of the energy a country consumes. We want ideas "
                "for the conservation, management and use of energy in residential "
                "buildings, from businesses, entrepreneurs, innovators and students. Tell "
                "us the problem you solve, how much energy a typical household would "
                "save, and what it would take to build."
            ),
            eligibility="Individuals, teams, start-ups and universities in any country.",
            rules="Up to two entries per solver.",
            prizes=(
                Prize(1, Decimal("50000.00"), "USD"),
                Prize(2, Decimal("20000.00"), "USD"),
            ),
            criteria=(
                Criterion("energy saved", 40),
                Criterion("feasibility", 35),
                Criterion("cost to households", 25),
            ),
            opens_at=self.day(-27),
            closes_at=self.day(30),
            review_ends_at=self.day(60),
            max_submissions_per_solver=2,
            visibility="private",
            voting=Voting("none"),
            ip_terms="assignment",
            category="energy",
            language="en",
            # GE-ecomagination-like: experts review ideas as they come in, while the
            # challenge is open (the others review once submissions close).
            review_timing="rolling",
        )

    def ideas_spec(self) -> ChallengeSpec:
        return ChallengeSpec(
            title="Brickhaven Ideas: design our next building set",
            brief=(
                "Fans propose their own building sets. Anyone can support an idea in the "
                "gallery; an idea that reaches 10,000 supporters goes to our product "
                "review, and the best go into production. Show us your model (photos or "
                "renders), its parts count, and who would build it."
            ),
            eligibility="Adults in any country; one account per person.",
            rules=(
                "Up to three ideas per person. No licensed themes (films, games, brands). "
                "Support counts only while the challenge is open. If your idea is "
                "produced you receive 1% of net sales on top of the prize; Brickhaven "
                "receives an exclusive licence and you keep ownership."
            ),
            prizes=(Prize(1, Decimal("50000.00"), "DKK"),),
            criteria=(
                Criterion("originality", 40),
                Criterion("buildability", 30),
                Criterion("play value", 30),
            ),
            opens_at=self.day(-20),
            closes_at=self.day(60),
            review_ends_at=self.day(90),
            max_submissions_per_solver=3,
            visibility="public",
            voting=Voting("public", 10_000),
            ip_terms="exclusive_licence",
            category="toys",
            language="en",
        )
