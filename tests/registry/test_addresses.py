"""Kartverket's address API: paging, join keys that match the population register, sub-districts from the area file."""

from __future__ import annotations

import json

import pytest

from civic.registry.addresses import HttpAddressRegister
from civic.registry.freg import address_key
from civic.registry.types import RegistryError
from tests.registry.conftest import FAST
from tests.registry.fake_http import Reply

WEST = [[10.78, 59.92], [10.81, 59.92], [10.81, 59.96], [10.78, 59.96], [10.78, 59.92]]
EAST = [[10.81, 59.92], [10.85, 59.92], [10.85, 59.96], [10.81, 59.96], [10.81, 59.92]]
OUTLINE = [[10.78, 59.92], [10.85, 59.92], [10.85, 59.96], [10.78, 59.96], [10.78, 59.92]]


def entry(n: int) -> dict:
    return {"adressenavn": "Veitvetveien", "adressetekst": f"Veitvetveien {n}", "adressekode": 13470, "nummer": n,
            "bokstav": "a" if n % 10 == 0 else "", "kommunenummer": "0301", "postnummer": "0596",
            "objtype": "Vegadresse",
            "representasjonspunkt": {"epsg": "EPSG:4258", "lat": 59.94, "lon": 10.79 if n % 2 else 10.83}}


@pytest.fixture
def area_file(tmp_path):
    path = tmp_path / "area.geojson"
    features = [
        {"type": "Feature", "properties": {"role": "outline", "name": "Bydel Test"},
         "geometry": {"type": "Polygon", "coordinates": [OUTLINE]}},
        {"type": "Feature", "properties": {"name": "Vest"}, "geometry": {"type": "Polygon", "coordinates": [WEST]}},
        {"type": "Feature", "properties": {"name": "Øst"}, "geometry": {"type": "Polygon", "coordinates": [EAST]}},
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return str(path)


def serve(server, total: int):
    entries = [entry(n) for n in range(1, total + 1)]
    entries.append({"adressenavn": "Gnr", "kommunenummer": "0301", "objtype": "Matrikkeladresse"})  # no number

    @server.route("GET", "/adresser/v1/sok")
    def sok(seen):
        size, page = int(seen.query["treffPerSide"][0]), int(seen.query["side"][0])
        assert seen.query["kommunenummer"] == ["0301"]
        assert seen.query["utkoordsys"] == ["4258"]
        return Reply(200, {"metadata": {"totaltAntallTreff": len(entries), "side": page, "treffPerSide": size},
                           "adresser": entries[page * size:(page + 1) * size]})


def test_paging_keys_and_sub_districts(server, area_file):
    serve(server, 2500)
    register = HttpAddressRegister(f"{server.url}/adresser/v1", "0301", area_file=area_file, settings=FAST)
    addresses = register.addresses()
    assert len(server.requests_to("/adresser/v1/sok")) == 3
    assert len(addresses) == 2500
    first = addresses[0]
    assert first.key == "0301-13470-1"
    assert first.text == "Veitvetveien 1"
    assert first.sub_district == "Vest"
    assert addresses[1].sub_district == "Øst"
    assert addresses[9].key == "0301-13470-10A"
    # the same address as the population register describes it gives the same key
    assert address_key({"kommunenummer": "0301", "adressekode": "13470",
                        "adressenummer": {"husnummer": "10", "husbokstav": "A"}}) == addresses[9].key
    register.addresses()
    assert len(server.requests_to("/adresser/v1/sok")) == 3  # cached
    area = register.area()
    assert area.name == "Bydel Test"
    assert area.municipality == "0301"
    assert area.sub_districts == ("Vest", "Øst")
    assert area.outline["coordinates"] == [OUTLINE]


def test_without_area_file(server):
    serve(server, 30)
    register = HttpAddressRegister(f"{server.url}/adresser/v1", "0301", settings=FAST, page_size=1000)
    assert {a.sub_district for a in register.addresses()} == {""}
    area = register.area()
    assert area.outline["type"] == "Polygon"
    assert area.sub_districts == ()


def test_saved_file(tmp_path, area_file):
    path = tmp_path / "adresser.json"
    path.write_text(json.dumps({"metadata": {"totaltAntallTreff": 2}, "adresser": [entry(1), entry(2)]}))
    register = HttpAddressRegister(f"file://{path}", "0301", area_file=area_file)
    assert [a.key for a in register.addresses()] == ["0301-13470-1", "0301-13470-2"]


def test_malformed_page(server):
    server.route("GET", "/adresser/v1/sok")(lambda seen: Reply(200, {"adresser": "nope"}))
    with pytest.raises(RegistryError):
        HttpAddressRegister(f"{server.url}/adresser/v1", "0301", settings=FAST).addresses()


def test_bad_area_file(tmp_path):
    path = tmp_path / "area.json"
    path.write_text("{}")
    with pytest.raises(ValueError, match="FeatureCollection"):
        HttpAddressRegister("http://unused", "0301", area_file=str(path))
