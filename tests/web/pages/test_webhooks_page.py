"""The organisation's webhooks page: register (the secret on that answer only), the
SSRF refusal next to the address, the delivery log with a button to send again, and
removal; legal members are refused."""

from __future__ import annotations

import re

import pytest

from projections.db import open_db
from web.readside import read_store_for
from web.webhooks import signing

pytestmark = pytest.mark.parametrize("settings", ["sqlite"], indirect=True)


def test_register_see_the_log_and_remove(web, cast):
    org = cast.organisation
    web.login("sponsor")
    assert f'href="/organisations/{org}/webhooks"' in web.get(f"/organisations/{org}").text
    refused = web.post(
        f"/organisations/{org}/webhooks", {"url": "http://10.0.0.7/in", "types": "question.asked"}
    )
    assert refused.status_code == 400
    assert "webhooks may only call public addresses" in refused.text
    made = web.post(
        f"/organisations/{org}/webhooks",
        {"url": "https://93.184.216.34/in", "types": ["question.asked", "submission.received"]},
    )
    assert made.status_code == 201, made.text
    secret = re.search(r"<code>(whsec_[^<]+)</code>", made.text)
    assert secret is not None
    (hook,) = web.app.webhooks(cast.sponsor, org)
    assert hook["types"] == ["question.asked", "submission.received"]
    page = web.get(f"/organisations/{org}/webhooks").text
    assert secret.group(1) not in page and "https://93.184.216.34/in" in page
    # a delivery, failed: the log shows it with a button to send it again
    challenge, _ = cast.open_challenge()
    web.app.ask_question(cast.other_solver, challenge, "Gears?")
    web.fed()
    db = open_db(read_store_for(web.app.settings))
    with db.batch():
        db.execute("UPDATE wh_deliveries SET status = 'failed'")
    (row,) = db.rows("SELECT position FROM wh_deliveries")
    page = web.get(f"/organisations/{org}/webhooks").text
    msg_id = signing.message_id(str(hook["id"]), int(row["position"]))
    assert msg_id in page and "Send again" in page
    again = web.post(
        f"/organisations/{org}/webhooks/{hook['id']}/deliveries/{row['position']}/redeliver"
    )
    assert again.status_code == 303
    (queued,) = db.rows("SELECT status FROM wh_deliveries")
    assert queued["status"] == "queued"
    db.close()
    gone = web.post(f"/organisations/{org}/webhooks/{hook['id']}/remove")
    assert gone.status_code == 303
    assert web.app.webhooks(cast.sponsor, org) == []


def test_legal_members_are_refused(web, cast):
    legal = cast.account("legal")
    web.app.add_member(cast.sponsor, cast.organisation, legal, "legal")
    web.login("legal")
    assert web.get(f"/organisations/{cast.organisation}/webhooks").status_code == 403
    assert "/webhooks" not in web.get(f"/organisations/{cast.organisation}").text
