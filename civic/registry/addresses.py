"""The cadastre's address points from Kartverket's open address API (or a saved answer), and the area file.

Why: area targeting (sub-districts, a drawn polygon, streets) is done locally by joining the population register's
``bostedsadresse.vegadresse`` to address points, so the municipality needs every address point of its area with
coordinates. ``GET {ADDRESS_URL}/sok?kommunenummer=…&treffPerSide=…&side=…&utkoordsys=4258`` is paged until
``metadata.totaltAntallTreff``. ``ADDRESS_URL`` may also be ``file:///path.json`` holding one such answer (offline use).
Sub-district names come from the area GeoJSON (``ADDRESS_AREA_FILE``: a FeatureCollection with one feature whose
property ``role`` is ``"outline"`` and named sub-district features), by point-in-polygon. Address points are not
personal data, so they are cached in memory for a day.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import requests
import shapely
from shapely.geometry import mapping, shape

from civic.registry.http_common import HttpSettings, json_of, new_session, request
from civic.registry.types import Address, AreaInfo, RegistryError

SERVICE = "Kartverket address API"
PAGE_SIZE = 1000
MAX_PAGES = 500
CACHE_SECONDS = 24 * 3600


def load_area(path: str) -> tuple[str, dict | None, dict[str, object]]:
    """(name, outline geometry, {sub-district name: shapely geometry}) from an area GeoJSON file."""
    try:
        collection = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError("ADDRESS_AREA_FILE cannot be read as GeoJSON") from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if not isinstance(features, list):
        raise ValueError("ADDRESS_AREA_FILE must be a GeoJSON FeatureCollection")
    name, outline, parts = "", None, {}
    for feature in features:
        props = feature.get("properties") or {}
        geometry = feature.get("geometry")
        if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError("ADDRESS_AREA_FILE features must be polygons")
        if props.get("role") == "outline":
            name, outline = str(props.get("name") or ""), geometry
        elif props.get("name"):
            parts[str(props["name"])] = shape(geometry)
    return name, outline, parts


def parse_address(entry: object, parts: dict[str, object]) -> Address | None:
    """An Address from one ``adresser[]`` element; None for addresses without street number or point."""
    if not isinstance(entry, dict):
        raise RegistryError("the address API sent an address in an unknown shape")
    point = entry.get("representasjonspunkt") or {}
    try:
        code, number = int(entry["adressekode"]), int(entry["nummer"])
        lat, lon = float(point["lat"]), float(point["lon"])
    except (KeyError, TypeError, ValueError):
        return None
    letter = str(entry.get("bokstav") or "").upper()
    municipality = str(entry.get("kommunenummer") or "")
    sub_district = next((name for name, geom in parts.items() if shapely.intersects_xy(geom, lon, lat)), "")
    return Address(
        key=f"{municipality}-{code:05d}-{number}{letter}",
        street=str(entry.get("adressenavn") or ""),
        number=number,
        letter=letter,
        postcode=str(entry.get("postnummer") or ""),
        lat=lat,
        lon=lon,
        sub_district=sub_district,
    )


class HttpAddressRegister:
    """AddressRegister over Kartverket's open address API (or a saved answer file)."""

    def __init__(self, url: str, municipality: str, *, area_file: str = "", settings: HttpSettings | None = None,
                 session: requests.Session | None = None, page_size: int = PAGE_SIZE) -> None:
        self.url, self.municipality = url.rstrip("/"), municipality
        self.settings = settings or HttpSettings()
        self.session = session or new_session()
        self.page_size = page_size
        self._area_name, self._outline, self._parts = load_area(area_file) if area_file else ("", None, {})
        for geom in self._parts.values():
            shapely.prepare(geom)
        self._lock = threading.Lock()
        self._cached: tuple[float, list[Address]] | None = None

    def addresses(self) -> list[Address]:
        with self._lock:
            if self._cached is None or time.monotonic() - self._cached[0] > CACHE_SECONDS:
                self._cached = (time.monotonic(), self._fetch())
            return list(self._cached[1])

    def area(self) -> AreaInfo:
        outline = self._outline
        if outline is None:
            points = [(a.lon, a.lat) for a in self.addresses()]
            if len(points) < 3:
                raise RegistryError("no area file and too few address points to outline the area")
            # a little margin so points on the hull are inside, and a polygon even for collinear points
            outline = mapping(shapely.MultiPoint(points).convex_hull.buffer(0.0005))
        return AreaInfo(self._area_name or self.municipality, self.municipality, outline, tuple(self._parts))

    def _entries(self) -> list:
        if self.url.startswith("file:"):
            path = unquote(urlparse(self.url).path)
            try:
                answer = json.loads(Path(path).read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise RegistryError("the saved address file cannot be read") from exc
            entries = answer.get("adresser") if isinstance(answer, dict) else None
            if not isinstance(entries, list):
                raise RegistryError("the saved address file has no list of addresses")
            return entries
        entries: list = []
        for page in range(MAX_PAGES):
            params = {"kommunenummer": self.municipality, "treffPerSide": self.page_size, "side": page,
                      "utkoordsys": 4258, "asciiKompatibel": "true"}
            answer = json_of(request(self.session, "GET", f"{self.url}/sok", service=SERVICE,
                                     settings=self.settings, params=params), SERVICE)
            hits = answer.get("adresser") if isinstance(answer, dict) else None
            meta = answer.get("metadata") if isinstance(answer, dict) else None
            if not isinstance(hits, list) or not isinstance(meta, dict):
                raise RegistryError("the address API sent a page in an unknown shape")
            entries.extend(hits)
            try:
                total = int(meta["totaltAntallTreff"])
            except (KeyError, TypeError, ValueError):
                raise RegistryError("the address API did not say how many addresses there are") from None
            if not hits or len(entries) >= total:
                return entries
        raise RegistryError("the address API returned more pages than expected")

    def _fetch(self) -> list[Address]:
        seen: dict[str, Address] = {}
        for entry in self._entries():
            address = parse_address(entry, self._parts)
            if address is not None:
                seen.setdefault(address.key, address)
        return list(seen.values())
