"""An organisation's logo (issue 25): owners and managers upload or remove it; it is
shown on the organisation's page and its challenges and served to anyone with the
headers of an uploaded file; what is not a small raster image is refused, next to
the field, and nothing is recorded."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from openinno.domain.organisation import LOGO_MAX_BYTES


def _png(colour: str = "navy", size: int = 64) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(out, "PNG")
    return out.getvalue()


def _upload(web, organisation, name: str, data: bytes, media_type: str, action="upload"):
    return web.client.post(
        f"/organisations/{organisation}/logo",
        data={"action": action, "_csrf_token": web.token()},
        files=[("logo", (name, data, media_type))],
        follow_redirects=False,
    )


def test_the_logo_is_uploaded_shown_served_and_removed(web, cast, app):
    challenge_id, _ = cast.open_challenge()
    web.login("sponsor")
    organisation = cast.organisation
    assert "No logo yet" in web.get(f"/organisations/{organisation}").text
    png = _png()
    r = _upload(web, organisation, "logo.png", png, "image/png")
    assert r.status_code == 303 and r.headers["location"].endswith("?logo=1")
    web.fed()
    src = f"/organisations/{organisation}/logo?v={hashlib.sha256(png).hexdigest()[:12]}"
    assert src in web.get(f"/organisations/{organisation}").text
    assert src in web.get(f"/challenges/{challenge_id}").text
    web.logout()
    served = web.get(f"/organisations/{organisation}/logo")
    assert served.status_code == 200 and served.content == png
    assert served.headers["content-type"] == "image/png"
    assert served.headers["etag"] == f'"{hashlib.sha256(png).hexdigest()}"'
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in served.headers["content-security-policy"]
    web.login("sponsor")
    r = web.post(f"/organisations/{organisation}/logo", {"action": "remove"})
    assert r.status_code == 303
    assert app.get_organisation(organisation).logo is None
    assert web.get(f"/organisations/{organisation}/logo").status_code == 404


def test_what_is_not_a_small_raster_image_is_refused_next_to_the_field(web, cast, app):
    web.login("sponsor")
    organisation = cast.organisation
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    big = _png(size=1)
    big += b"\0" * (LOGO_MAX_BYTES + 1 - len(big))
    for name, data, kind in (
        ("logo.svg", svg, "image/svg+xml"),
        ("logo.pdf", b"%PDF-1.4\n% not an image\n", "application/pdf"),
        ("huge.png", big, "image/png"),
    ):
        r = _upload(web, organisation, name, data, kind)
        assert r.status_code == 400, name
        assert 'id="e-logo"' in r.text and 'aria-invalid="true"' in r.text, name
        assert ("at most" if name == "huge.png" else "PNG, JPEG, WebP or GIF") in r.text, name
    r = web.post(f"/organisations/{organisation}/logo", {"action": "upload"})
    assert r.status_code == 400 and 'id="e-logo"' in r.text
    assert app.get_organisation(organisation).logo is None


def test_only_owners_and_managers_change_it(web, cast, app):
    organisation = cast.organisation
    app.add_member(cast.sponsor, organisation, cast.reviewer, "legal")
    web.login("reviewer")  # legal
    assert _upload(web, organisation, "logo.png", _png(), "image/png").status_code == 403
    web.logout()
    web.login("other")  # not a member: no hint the organisation exists
    assert _upload(web, organisation, "logo.png", _png(), "image/png").status_code == 404
    assert app.get_organisation(organisation).logo is None
