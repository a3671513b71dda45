"""Audience criteria: what they are, how they are read and stored, and whether they can be used.

``AudienceCriteria`` describes who to invite without naming anyone; it is stored as JSON in
``Campaign.criteria``. ``validate_criteria`` raises :class:`InvalidCriteria` with a specific, translated message.

Place criteria (polygon, sub-districts, streets) are resolved against the cadastre's address points by an
:class:`AddressIndex` (vectorised ``shapely.contains_xy`` on cached numpy arrays), so that matching
(``civic.campaigns.audience``) costs one set lookup per resident and validation can tell a planner that an
area covers nobody. The index holds no personal data.
"""

from __future__ import annotations

import json
import math
import threading
import time
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from flask_babel import gettext as _

from civic.core.errors import InvalidInputError
from civic.registry.base import AddressRegister, Registry

MIN_AGE = 0
MAX_AGE = 120
MAX_POLYGON_POINTS = 2000
MAX_STREETS = 200
LANGUAGES = ("nb", "nn", "en")


class InvalidCriteria(InvalidInputError):  # noqa: N818 - the name is the cross-helper contract
    """The audience criteria cannot be used; the message says why, in the user's language.

    ``field`` names the criterion at fault (an AudienceCriteria attribute) so a form can show it in place.
    """

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------------------------- criteria


@dataclass(frozen=True)
class AudienceCriteria:
    """Who to invite, described without naming anyone. Stored as JSON in ``Campaign.criteria``."""

    age_min: int | None = None
    age_max: int | None = None
    sub_districts: tuple[str, ...] = ()
    polygon: list[list[float]] | None = None  # [[lon, lat], ...], a closed ring (first point == last point)
    streets: tuple[str, ...] = ()
    child_age_min: int | None = None
    child_age_max: int | None = None
    languages: tuple[str, ...] = ()

    @property
    def has_place(self) -> bool:
        return bool(self.sub_districts or self.streets or self.polygon)

    @property
    def has_children(self) -> bool:
        return self.child_age_min is not None or self.child_age_max is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "age_min": self.age_min,
            "age_max": self.age_max,
            "sub_districts": list(self.sub_districts),
            "polygon": [list(point) for point in self.polygon] if self.polygon else None,
            "streets": list(self.streets),
            "child_age_min": self.child_age_min,
            "child_age_max": self.child_age_max,
            "languages": list(self.languages),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AudienceCriteria:
        """Read stored criteria; missing keys mean "no criterion". Wrong types raise InvalidCriteria."""
        data = data or {}
        if not isinstance(data, Mapping):
            raise InvalidCriteria(_("The audience criteria are not readable."))
        polygon = data.get("polygon")
        return cls(
            age_min=_optional_int(data.get("age_min")),
            age_max=_optional_int(data.get("age_max")),
            sub_districts=_strings(data.get("sub_districts")),
            polygon=_ring(polygon) if polygon else None,
            streets=_strings(data.get("streets")),
            child_age_min=_optional_int(data.get("child_age_min")),
            child_age_max=_optional_int(data.get("child_age_max")),
            languages=_strings(data.get("languages")),
        )


def _optional_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidCriteria(_("Ages must be whole numbers."), "age_min")
    try:
        number = float(value)
    except ValueError:
        raise InvalidCriteria(_("Ages must be whole numbers."), "age_min") from None
    if not math.isfinite(number) or number != int(number):
        raise InvalidCriteria(_("Ages must be whole numbers."), "age_min")
    return int(number)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidCriteria(_("The audience criteria are not readable."))
    return tuple(dict.fromkeys(str(item).strip() for item in value if str(item).strip()))


def _ring(value: Any) -> list[list[float]]:
    message = _("The area must be a list of [longitude, latitude] pairs, e.g. [[10.80, 59.93], [10.82, 59.93], …].")
    if not isinstance(value, list | tuple):
        raise InvalidCriteria(message, "polygon")
    ring: list[list[float]] = []
    for point in value:
        if not isinstance(point, list | tuple) or len(point) != 2:
            raise InvalidCriteria(message, "polygon")
        try:
            lon, lat = float(point[0]), float(point[1])
        except (TypeError, ValueError):
            raise InvalidCriteria(message, "polygon") from None
        if isinstance(point[0], bool) or isinstance(point[1], bool) or not (math.isfinite(lon) and math.isfinite(lat)):
            raise InvalidCriteria(message, "polygon")
        ring.append([lon, lat])
    return ring


def parse_polygon(text: str) -> list[list[float]] | None:
    """Read the map's (or a pasted) ring ``[[lon, lat], ...]``; blank means no polygon."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        raise InvalidCriteria(
            _("The area could not be read. Draw it on the map or paste [[longitude, latitude], …] pairs."), "polygon"
        ) from None
    if isinstance(value, dict):  # a pasted GeoJSON Polygon geometry or feature
        geometry = value.get("geometry", value)
        coordinates = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if geometry.get("type") != "Polygon" or not coordinates:
            raise InvalidCriteria(_("Only a single polygon can be used as an area."), "polygon")
        value = coordinates[0]
    return _ring(value) or None


def validate_criteria(criteria: AudienceCriteria, registry: Registry | None = None) -> None:
    """Raise InvalidCriteria with a specific, translated message if the criteria cannot be used.

    Without ``registry`` only the criteria themselves are checked; with it, sub-districts and streets must
    exist in the address register and a polygon must contain at least one address point.
    """
    _check_range(criteria.age_min, criteria.age_max, children=False)
    _check_range(criteria.child_age_min, criteria.child_age_max, children=True)
    unknown_languages = [code for code in criteria.languages if code not in LANGUAGES]
    if unknown_languages:
        raise InvalidCriteria(_("Unknown language: %(codes)s.", codes=", ".join(unknown_languages)), "languages")
    if len(criteria.streets) > MAX_STREETS:
        raise InvalidCriteria(_("Choose at most %(n)d streets.", n=MAX_STREETS), "streets")
    polygon = _polygon(criteria.polygon) if criteria.polygon is not None else None
    if registry is None:
        return
    index = address_index(registry.addresses)
    unknown = [name for name in criteria.sub_districts if name not in index.sub_district_names]
    if unknown:
        raise InvalidCriteria(_("Unknown sub-district: %(names)s.", names=", ".join(unknown)), "sub_districts")
    unknown = [name for name in criteria.streets if _street_key(name) not in index.street_codes]
    if unknown:
        raise InvalidCriteria(
            _("No such street in the address register: %(names)s.", names=", ".join(unknown[:10])), "streets"
        )
    if polygon is not None and not index.polygon_mask(polygon).any():
        raise InvalidCriteria(_("The area you drew contains no addresses: it covers nobody."), "polygon")


def _check_range(low: int | None, high: int | None, *, children: bool) -> None:
    prefix = "child_age" if children else "age"
    for value, name in ((low, f"{prefix}_min"), (high, f"{prefix}_max")):
        if value is not None and not MIN_AGE <= value <= MAX_AGE:
            if children:
                message = _("Children's ages must be between %(low)d and %(high)d.", low=MIN_AGE, high=MAX_AGE)
            else:
                message = _("Ages must be between %(low)d and %(high)d.", low=MIN_AGE, high=MAX_AGE)
            raise InvalidCriteria(message, name)
    if low is not None and high is not None and low > high:
        if children:
            message = _(
                "The children's lowest age (%(low)d) is above their highest age (%(high)d).", low=low, high=high
            )
        else:
            message = _("The lowest age (%(low)d) is above the highest age (%(high)d).", low=low, high=high)
        raise InvalidCriteria(message, f"{prefix}_min")


def _polygon(ring: list[list[float]]) -> shapely.Polygon:
    points = [tuple(point) for point in _ring(ring)]
    if len(points) > MAX_POLYGON_POINTS:
        raise InvalidCriteria(_("The area has too many corners (at most %(n)d).", n=MAX_POLYGON_POINTS), "polygon")
    for lon, lat in points:
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise InvalidCriteria(
                _("The area has a point outside valid coordinates: [%(lon)s, %(lat)s].", lon=lon, lat=lat), "polygon"
            )
    if len(set(points)) < 3:
        raise InvalidCriteria(_("The area needs at least three different corners."), "polygon")
    if points[0] != points[-1]:
        raise InvalidCriteria(_("The area does not close: its last point must be the same as its first."), "polygon")
    polygon = shapely.Polygon(points)
    if not polygon.is_valid or polygon.area == 0:
        raise InvalidCriteria(_("The area's edges cross each other. Draw it again without crossing lines."), "polygon")
    return polygon


# ---------------------------------------------------------------------------------------- address index


def _street_key(name: str) -> str:
    return " ".join(name.split()).casefold()


class AddressIndex:
    """The cadastre's address points as arrays, for vectorised place criteria. Not personal data."""

    def __init__(self, addresses: Sequence[Any]) -> None:
        self.keys: list[str] = [address.key for address in addresses]
        self.position: dict[str, int] = {key: i for i, key in enumerate(self.keys)}
        self.lon = np.fromiter((address.lon for address in addresses), dtype=np.float64, count=len(addresses))
        self.lat = np.fromiter((address.lat for address in addresses), dtype=np.float64, count=len(addresses))
        self.sub_district_of: list[str] = [address.sub_district for address in addresses]
        self.sub_district_names: list[str] = sorted(set(self.sub_district_of))
        sub_codes = {name: i for i, name in enumerate(self.sub_district_names)}
        self.sub_district_code = np.fromiter(
            (sub_codes[name] for name in self.sub_district_of), dtype=np.int32, count=len(addresses)
        )
        street_names: dict[str, str] = {}
        for address in addresses:
            street_names.setdefault(_street_key(address.street), address.street)
        self.street_names: list[str] = sorted(street_names.values())
        self.street_codes: dict[str, int] = {key: i for i, key in enumerate(sorted(street_names))}
        self.street_code = np.fromiter(
            (self.street_codes[_street_key(address.street)] for address in addresses),
            dtype=np.int32,
            count=len(addresses),
        )

    def polygon_mask(self, polygon: shapely.Polygon) -> np.ndarray:
        shapely.prepare(polygon)
        return shapely.contains_xy(polygon, self.lon, self.lat)

    def place_keys(self, criteria: AudienceCriteria) -> frozenset[str] | None:
        """Return the address keys that satisfy the place criteria, or None when there are none."""
        if not criteria.has_place:
            return None
        mask = np.ones(len(self.keys), dtype=bool)
        if criteria.polygon:
            mask &= self.polygon_mask(_polygon(criteria.polygon))
        if criteria.sub_districts:
            wanted = [i for i, name in enumerate(self.sub_district_names) if name in set(criteria.sub_districts)]
            mask &= np.isin(self.sub_district_code, wanted)
        if criteria.streets:
            wanted = [self.street_codes[key] for key in map(_street_key, criteria.streets) if key in self.street_codes]
            mask &= np.isin(self.street_code, wanted)
        keys = self.keys
        return frozenset(keys[i] for i in np.flatnonzero(mask))

    def district(self, address_key: str) -> str:
        position = self.position.get(address_key)
        return self.sub_district_of[position] if position is not None else ""


_INDEX_LOCK = threading.Lock()
#: One index per address register object, dropped with it; rebuilt after INDEX_MAX_AGE_S (the cadastre changes).
_INDEXES: weakref.WeakKeyDictionary[Any, tuple[float, AddressIndex]] = weakref.WeakKeyDictionary()
INDEX_MAX_AGE_S = 6 * 3600


def address_index(register: AddressRegister) -> AddressIndex:
    """Return the (cached) index of a register's address points."""
    try:
        cached = _INDEXES.get(register)
    except TypeError:  # a register that cannot be weakly referenced: no caching
        return AddressIndex(register.addresses())
    if cached is not None and time.monotonic() - cached[0] < INDEX_MAX_AGE_S:
        return cached[1]
    with _INDEX_LOCK:
        cached = _INDEXES.get(register)
        if cached is not None and time.monotonic() - cached[0] < INDEX_MAX_AGE_S:
            return cached[1]
        index = AddressIndex(register.addresses())
        _INDEXES[register] = (time.monotonic(), index)
        return index


def area_geojson(registry: Registry) -> dict[str, Any]:
    """The district outline and the address points (no personal data) as a GeoJSON FeatureCollection."""
    area = registry.addresses.area()
    index = address_index(registry.addresses)
    return {
        "type": "FeatureCollection",
        "name": area.name,
        "features": [
            {"type": "Feature", "properties": {"kind": "area", "name": area.name}, "geometry": area.outline},
            {
                "type": "Feature",
                "properties": {"kind": "addresses"},
                "geometry": {
                    "type": "MultiPoint",
                    "coordinates": np.round(np.column_stack([index.lon, index.lat]), 6).tolist(),
                },
            },
        ],
    }


__all__ = [
    "INDEX_MAX_AGE_S",
    "LANGUAGES",
    "MAX_AGE",
    "MAX_POLYGON_POINTS",
    "MAX_STREETS",
    "MIN_AGE",
    "AddressIndex",
    "AudienceCriteria",
    "InvalidCriteria",
    "address_index",
    "area_geojson",
    "parse_polygon",
    "validate_criteria",
]
