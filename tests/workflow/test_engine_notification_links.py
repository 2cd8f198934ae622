"""Notifications name the page they open; the path is built when the message is shown."""
from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from gradreg.notifications.models import Message
from gradreg.notifications.services import deliver

migration = importlib.import_module("gradreg.notifications.migrations.0002_message_url_name")


def test_a_message_resolves_its_named_page(world):
    deliver([{"recipient": world.wang, "title": "t", "body": "", "url_name": "signing:detail", "url_args": [7]},
             {"recipient": world.wang, "title": "t", "body": ""}])
    named, bare = Message.objects.filter(recipient=world.wang).order_by("id")
    assert named.url == "/signing/7/" and named.link == ""
    assert bare.url == ""


def test_an_older_message_keeps_its_stored_path_and_an_unknown_name_leads_nowhere(world):
    old = Message.objects.create(recipient=world.wang, title="t", link="/signing/terminations/3/")
    gone = Message.objects.create(recipient=world.wang, title="t", url_name="no:such_page")
    assert old.url == "/signing/terminations/3/" and gone.url == ""


def test_the_migration_names_the_paths_older_messages_stored(world):
    rows = {p: Message.objects.create(recipient=world.wang, title="t", link=p) for p in (
        "/signing/12/", "/signing/terminations/3/", "/ems/training-mode/5/", "/organisations/employer/", "/x/")}
    migration.name_old_links(apps, None)
    got = {p: (m.url_name, m.url_args, m.url) for p, m in
           ((p, Message.objects.get(pk=m.pk)) for p, m in rows.items())}
    assert got["/signing/12/"] == ("signing:detail", [12], "/signing/12/")
    assert got["/signing/terminations/3/"][:2] == ("signing:termination_detail", [3])
    assert got["/ems/training-mode/5/"][:2] == ("ems:training_mode_detail", [5])
    assert got["/organisations/employer/"] == ("organisations:employer_self", [], "/organisations/employer/")
    assert got["/x/"] == ("", [], "/x/")


def test_reading_a_message_opens_its_page(client, world):
    deliver([{"recipient": world.wang, "title": "t", "body": "", "url_name": "signing:detail", "url_args": [7]}])
    msg = Message.objects.get(recipient=world.wang)
    client.force_login(world.wang)
    r = client.post(reverse("notifications:read", args=[msg.pk]))
    assert r.status_code == 302 and r["Location"] == "/signing/7/"
