"""The instrument pages: the library, an instrument's page, and a clinic administrator's
licensed text upload and settings (errors at the field, nothing saved on error, audited)."""

from __future__ import annotations

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dyadcare.instruments.internal import registry
from dyadcare.instruments.models import ClinicItemText, ClinicParameter
from dyadcare.tenancy import auditactions
from dyadcare.tenancy.models import AuditEvent
from dyadcare.tenancy.scope import clinic_scope, unscoped
from tests.factories import ClinicWorld, login

EPDS_CSV = "number,text,option_1,option_2,option_3,option_4\n" + "".join(
    f'{n},"Texto autorizado {n}",Sí siempre,A veces,Casi nunca,Nunca\n' for n in range(1, 11)
)


def admin(world: ClinicWorld, client: Client) -> Client:
    return login(client, world.staff_a["clinic_admin"])


def upload(name: str, content: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")


def test_library_lists_every_instrument_with_licence_and_confidence(
    world: ClinicWorld, client: Client
) -> None:
    login(client, world.staff_a["front_desk"])
    body = client.get(f"/c/{world.a.slug}/instruments/").content.decode()
    for ident in (
        "phq9",
        "epds",
        "mchat-r",
        "mchat-rf",
        "ahc-hrsn",
        "asq3",
        "asqse2",
        "swyc-bpsc",
        "pearls-child",
    ):
        assert f"<code>{ident}</code>" in body
    assert "Clinic-supplied" in body and "Score only" in body and "Bundled" in body
    assert "unverified rule" in body  # SWYC BPSC blocks, POSI check-all items, …
    assert "CDC milestone checklist, 36 months" in body and "does not imply endorsement" in body
    assert 'aria-current="page"' in body


def test_bundled_instrument_page_shows_items_rules_and_sources(world: ClinicWorld, client: Client) -> None:
    login(client, world.staff_a["billing"])
    body = client.get(f"/c/{world.a.slug}/instruments/phq9/").content.decode()
    assert "Little interest or pleasure in doing things" in body
    assert "Positive when the total is 10 or more." in body
    assert "Item 9 is critical" in body
    assert "LL382-3" in body and "verified" in body
    assert "Load licensed text" not in body  # billing does not manage


def test_licensed_instrument_page_shows_no_item_text(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    body = client.get(f"/c/{world.a.slug}/instruments/epds/").content.decode()
    assert "Item 3: text not loaded (licensed)" in body
    assert "Royal College of Psychiatrists" in body
    assert "Reverse-keyed items (scored from the bottom option up): 3, 5–10." in body
    assert "Load licensed text" in body and "Change settings" in body
    assert "unverified" in body  # the Spanish cut-off


def test_unknown_instrument_is_404(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    assert client.get(f"/c/{world.a.slug}/instruments/nope/").status_code == 404
    assert client.get(f"/c/{world.a.slug}/instruments/phq9/text/").status_code == 404  # bundled: no upload
    assert client.get(f"/c/{world.a.slug}/instruments/phq9/settings/").status_code == 404  # nothing to set


def test_upload_licensed_text_then_see_it_in_spanish(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    url = f"/c/{world.a.slug}/instruments/epds/text/"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "language": "es",
            "file": upload("epds.csv", EPDS_CSV),
            "copyright_notice": "© 1987 The Royal College of Psychiatrists",
            "source_note": "licensed copy",
            "licence_confirmed": "on",
        },
    )
    assert response.status_code == 302
    with clinic_scope(world.a):
        row = ClinicItemText.objects.get(instrument_id="epds", language="es")
    assert row.items[2] == {
        "number": 3,
        "text": "Texto autorizado 3",
        "options": ["Sí siempre", "A veces", "Casi nunca", "Nunca"],
    }
    assert row.loaded_by == world.staff_a["clinic_admin"]
    with unscoped("read the audit entry"):
        event = AuditEvent.objects.filter(object_type="instruments.clinicitemtext").get()
    assert event.action == "create" and event.clinic_id == world.a.pk and "epds" in event.summary
    spanish = client.get(f"/c/{world.a.slug}/instruments/epds/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Texto autorizado 3" in spanish
    english = client.get(f"/c/{world.a.slug}/instruments/epds/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Texto autorizado 3" not in english  # no English text was loaded
    with clinic_scope(world.a):
        assert registry.get("epds", clinic=world.a).item(3).label("es") == "Texto autorizado 3"
    with clinic_scope(world.b):
        assert registry.get("epds", clinic=world.b).item(3).label("es") == "Pregunta 3"  # clinic B: its own
        assert not ClinicItemText.objects.exists(), "clinic B does not see clinic A's text"


def test_upload_json_replaces_the_earlier_text(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    url = f"/c/{world.a.slug}/instruments/mchat-r/text/"
    for version in ("one", "two"):
        items = [{"number": n, "text": f"{version} {n}"} for n in range(1, 21)]
        payload = json.dumps({"instrument": "mchat-r", "language": "en", "items": items})
        response = client.post(
            url,
            {
                "language": "en",
                "file": upload("m.json", payload),
                "copyright_notice": "© 2009 Robins",
                "licence_confirmed": "on",
            },
        )
        assert response.status_code == 302
    with clinic_scope(world.a):
        assert ClinicItemText.objects.get(instrument_id="mchat-r").items[0]["text"] == "two 1"
    assert "two 4" in client.get(f"/c/{world.a.slug}/instruments/mchat-r/").content.decode()


def _post_text(client: Client, world: ClinicWorld, **overrides: object) -> str:
    data: dict[str, object] = {
        "language": "es",
        "file": upload("epds.csv", EPDS_CSV),
        "copyright_notice": "© 1987 RCPsych",
        "licence_confirmed": "on",
    }
    data.update(overrides)
    response = client.post(
        f"/c/{world.a.slug}/instruments/epds/text/", {k: v for k, v in data.items() if v is not None}
    )
    assert response.status_code == 422
    with clinic_scope(world.a):
        assert not ClinicItemText.objects.exists(), "nothing is saved on error"
    return response.content.decode()


def test_upload_errors_are_shown_at_the_field(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    body = _post_text(client, world, file=upload("epds.csv", "\n".join(EPDS_CSV.splitlines()[:10])))
    assert "This instrument has 10 items; the file has 9." in body
    assert 'id="id_file_error"' in body and 'aria-invalid="true"' in body and "Nothing was saved" in body
    body = _post_text(
        client,
        world,
        file=upload(
            "epds.csv", EPDS_CSV.replace('3,"Texto autorizado 3",Sí siempre,', '3,"Texto autorizado 3",')
        ),
    )
    assert "Item 3 needs 4 option labels." in body
    body = _post_text(client, world, file=upload("epds.json", "{not json"))
    assert "The file is not valid JSON." in body
    body = _post_text(client, world, file=upload("epds.txt", "hello"))
    assert "Upload a .json or .csv file" in body
    body = _post_text(
        client, world, file=upload("epds.json", json.dumps({"instrument": "phq9", "items": []}))
    )
    assert "The file is for another instrument" in body
    body = _post_text(client, world, licence_confirmed=None)
    assert 'id="id_licence_confirmed_error"' in body
    body = _post_text(client, world, copyright_notice="")
    assert 'id="id_copyright_notice_error"' in body
    body = _post_text(client, world, language="fr")
    assert 'id="id_language_error"' in body


def test_remove_loaded_text(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    url = f"/c/{world.a.slug}/instruments/epds/text/"
    client.post(
        url,
        {
            "language": "es",
            "file": upload("e.csv", EPDS_CSV),
            "copyright_notice": "©",
            "licence_confirmed": "on",
        },
    )
    assert client.post(url, {"remove": "es"}).status_code == 302
    with clinic_scope(world.a):
        assert not ClinicItemText.objects.exists()
    with unscoped("read the audit entries"):
        assert (
            AuditEvent.objects.filter(object_type="instruments.clinicitemtext", action="delete").count() == 1
        )


def test_change_and_reset_a_parameter(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    url = f"/c/{world.a.slug}/instruments/swyc-ppsc/settings/"
    body = client.get(url).content.decode()
    assert "secondary source" in body and "Default: 9." in body
    assert client.post(url, {"positive_at_least": "10", "reason": "medical director"}).status_code == 302
    with clinic_scope(world.a):
        row = ClinicParameter.objects.get(instrument_id="swyc-ppsc")
        assert (row.name, row.value, row.reason) == ("positive_at_least", 10, "medical director")
        assert row.changed_by == world.staff_a["clinic_admin"]
        assert registry.get("swyc-ppsc", clinic=world.a).parameter_value("positive_at_least") == 10
    with clinic_scope(world.b):
        assert registry.get("swyc-ppsc", clinic=world.b).parameter_value("positive_at_least") == 9
    detail = client.get(f"/c/{world.a.slug}/instruments/swyc-ppsc/").content.decode()
    assert "set by the clinic" in detail and "Positive when the total is 10 or more." in detail
    with unscoped("read the audit entry"):
        event = AuditEvent.objects.get(object_type="instruments.clinicparameter")
    assert event.action == "instruments.parameters_changed" and event.summary == "changed: positive_at_least"
    assert client.post(url, {"positive_at_least": ""}).status_code == 302  # empty: back to the default
    with clinic_scope(world.a):
        # The history keeps both changes: the reset is a row of its own (null: the default).
        assert list(
            ClinicParameter.objects.order_by("effective_from", "id").values_list("value", flat=True)
        ) == [
            10,
            None,
        ]
        assert registry.get("swyc-ppsc", clinic=world.a).parameter_value("positive_at_least") == 9
    detail = client.get(f"/c/{world.a.slug}/instruments/swyc-ppsc/").content.decode()
    assert "set by the clinic" not in detail and "Positive when the total is 9 or more." in detail


def test_the_settings_page_shows_every_change_newest_first(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    url = f"/c/{world.a.slug}/instruments/swyc-ppsc/settings/"
    body = client.get(url).content.decode()
    assert "No change yet" in body and "In force: 9, the library default." in body
    assert client.post(url, {"positive_at_least": "10", "reason": "pilot"}).status_code == 302
    assert client.post(url, {"positive_at_least": "11", "reason": "medical director"}).status_code == 302
    assert client.post(url, {"positive_at_least": "", "reason": "end of pilot"}).status_code == 302
    body = client.get(url).content.decode()
    assert "In force: 9, the library default (since " in body
    table = body[body.index("<caption") : body.index("</table>")]
    assert "Every change of these settings, newest first" in table and '<th scope="col">' in table
    rows = table.split("<tr>")[2:]  # after the header row
    assert len(rows) == 3
    who = str(world.staff_a["clinic_admin"])
    for row, value, reason in zip(
        rows, ("library default (9)", "11", "10"), ("end of pilot", "medical director", "pilot"), strict=True
    ):
        assert value in row and reason in row and who in row
    assert "in force" in rows[0] and "in force" not in rows[1] + rows[2]
    # The form still shows the value in force: empty, the library default.
    assert 'name="positive_at_least"' in body and 'name="positive_at_least" value=' not in body


def test_parameter_errors_are_shown_at_the_field(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    response = client.post(f"/c/{world.a.slug}/instruments/swyc-ppsc/settings/", {"positive_at_least": "99"})
    assert response.status_code == 422 and 'id="id_positive_at_least_error"' in response.content.decode()
    response = client.post(
        f"/c/{world.a.slug}/instruments/swyc-bpsc/settings/",
        {
            "subscale_blocks__irritability": "1, 2, 3, 4",
            "subscale_blocks__inflexibility": "4, 5, 6",
            "subscale_blocks__routines": "9, 10",
        },
    )
    assert response.status_code == 422 and "item 4 is in two blocks" in response.content.decode()
    with clinic_scope(world.a):
        assert not ClinicParameter.objects.exists()


def test_swap_the_bpsc_block_names(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    data = {
        "subscale_blocks__irritability": "5, 6, 7, 8",
        "subscale_blocks__inflexibility": "1, 2, 3, 4",
        "subscale_blocks__routines": "9, 10, 11, 12",
    }
    assert client.post(f"/c/{world.a.slug}/instruments/swyc-bpsc/settings/", data).status_code == 302
    from dyadcare.instruments.engine import score

    with clinic_scope(world.a):
        bpsc = registry.get("swyc-bpsc", clinic=world.a)
    assert score(bpsc, [2, 1, 0, 0] + [0] * 8).subscores == {
        "irritability": 0,
        "inflexibility": 3,
        "routines": 0,
    }


def test_posi_check_all_weights(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    assert (
        client.post(
            f"/c/{world.a.slug}/instruments/swyc-posi/settings/", {"check_all_weights": ["3", "4"]}
        ).status_code
        == 302
    )
    with clinic_scope(world.a):
        posi = registry.get("swyc-posi", clinic=world.a)
    assert posi.parameter_value("check_all_weights") == [0, 0, 0, 1, 1]


def test_every_instrument_form_page_accepts_its_sample_and_audits_it(
    world: ClinicWorld, client: Client
) -> None:
    """The instrument pages hold no PHI (phi="none"), so the PHI audit test skips them; their
    writes are audited all the same."""
    from tests.web.urlmap import all_routes, sample_post, url_for

    names = ("web:instrument_text", "web:instrument_text_entry", "web:instrument_parameters")
    routes = [r for r in all_routes() if r.name in names]
    assert len(routes) == 3
    admin(world, client)
    for route in routes:
        with unscoped("count audit entries"):
            before = AuditEvent.objects.filter(action__in=auditactions.of_kind("write")).count()
        response = client.post(url_for(world, route), sample_post(world, route))
        assert response.status_code == 302, route.name
        with unscoped("count audit entries"):
            assert (
                AuditEvent.objects.filter(action__in=auditactions.of_kind("write")).count() == before + 1
            ), route.name


def _typed(items: int = 10, options: int = 4) -> dict[str, str]:
    data = {f"item_{n}": f"Pregunta autorizada {n}" for n in range(1, items + 1)}
    data |= {
        f"item_{n}_option_{k}": f"Respuesta {k}" for n in range(1, items + 1) for k in range(1, options + 1)
    }
    return data | {"copyright_notice": "© 1987 The Royal College of Psychiatrists", "source_note": "PDF"}


def test_type_the_licensed_text_item_by_item_preview_then_confirm(world: ClinicWorld, client: Client) -> None:
    admin(world, client)
    url = f"/c/{world.a.slug}/instruments/epds/text/es/"
    form = client.get(url)
    assert form.status_code == 200
    body = form.content.decode()
    assert "Item 10, option 4 (scores 0)" in body and "Item 1, option 4 (scores 3)" in body
    assert "Save the text" not in body, "a preview comes first"
    missing = {k: v for k, v in _typed().items() if k != "item_7"}
    refused = client.post(url, {**missing, "action": "preview"})
    assert refused.status_code == 422 and 'id="id_item_7_error"' in refused.content.decode()
    preview = client.post(url, {**_typed(), "action": "preview"})
    text = preview.content.decode()
    assert preview.status_code == 200 and "Preview: what families will read" in text
    assert "Pregunta autorizada 10" in text and "Save the text" in text
    unconfirmed = client.post(url, {**_typed(), "action": "save"})
    assert unconfirmed.status_code == 422
    assert "Confirm that your clinic holds a licence for this text." in unconfirmed.content.decode()
    with clinic_scope(world.a):
        assert not ClinicItemText.objects.exists(), "nothing saved before the licence is confirmed"
    saved = client.post(url, {**_typed(), "action": "save", "licence_confirmed": "on"})
    assert saved.status_code == 302
    with clinic_scope(world.a):
        row = ClinicItemText.objects.get(instrument_id="epds", language="es")
        assert row.items[6] == {
            "number": 7,
            "text": "Pregunta autorizada 7",
            "options": [f"Respuesta {k}" for k in range(1, 5)],
        }
        assert row.loaded_by == world.staff_a["clinic_admin"] and row.source_note == "PDF"
        assert registry.get("epds", clinic=world.a).text_language == ("es",)
    again = client.get(url).content.decode()
    assert "Pregunta autorizada 7" in again, "the saved text comes back to edit"


def test_the_guided_form_is_for_licensed_instruments_in_their_languages(
    world: ClinicWorld, client: Client
) -> None:
    admin(world, client)
    assert client.get(f"/c/{world.a.slug}/instruments/phq9/text/es/").status_code == 404, "bundled"
    assert client.get(f"/c/{world.a.slug}/instruments/epds/text/fr/").status_code == 404
    login(client, world.staff_a["dyadic_specialist"])
    assert client.get(f"/c/{world.a.slug}/instruments/epds/text/es/").status_code == 403
