import pytest

from openinno.domain import Organisation
from openinno.domain.errors import AccessDenied, InvalidInput, InvalidState
from openinno.domain.organisation import LOGO_MAX_BYTES
from openinno.domain.values import FileRef
from tests.domain.helpers import REVIEWER, SPONSOR, at, given, recorded

PNG = FileRef(name="logo.png", size=2048, media_type="image/png", sha256="a" * 64)


def an_organisation() -> Organisation:
    return given(Organisation(actor_id=SPONSOR, name="Brickworks", timestamp=at()))


class TestLogo:
    def test_an_owner_sets_then_removes_the_logo(self):
        organisation = an_organisation()
        organisation.change_logo(SPONSOR, PNG, at(1))
        assert organisation.logo == PNG
        organisation.change_logo(SPONSOR, None, at(2))
        assert recorded(organisation) == ["LogoChanged", "LogoChanged"]
        assert organisation.logo is None

    @pytest.mark.parametrize(
        "logo",
        [
            FileRef(name="logo.svg", size=100, media_type="image/svg+xml", sha256="b" * 64),
            FileRef(name="logo.pdf", size=100, media_type="application/pdf", sha256="c" * 64),
            FileRef("big.png", LOGO_MAX_BYTES + 1, "image/png", "d" * 64),
        ],
    )
    def test_only_small_raster_images(self, logo):
        organisation = an_organisation()
        with pytest.raises(InvalidInput) as refused:
            organisation.change_logo(SPONSOR, logo, at(1))
        assert refused.value.field == "logo"
        assert recorded(organisation) == []

    def test_members_without_the_role_and_no_change_are_refused(self):
        organisation = an_organisation()
        organisation.add_member(SPONSOR, REVIEWER, "legal", at(1))
        with pytest.raises(AccessDenied):
            organisation.change_logo(REVIEWER, PNG, at(2))
        with pytest.raises(InvalidState):
            organisation.change_logo(SPONSOR, None, at(2))  # there is none to remove
