"""The bundled synthetic registry: a deterministic, realistic population behind the three registry interfaces.

Why: civic must be demonstrable and testable without access to Folkeregisteret or KRR. The population is generated
from a seed with numpy (vectorised, so Oslo's 700,000 residents take seconds) and kept as arrays; ``Person`` and
``Contact`` objects are only created when asked for. Synthetic national ids use Tenor's convention (month + 80), so
they are valid fødselsnummer by checksum but can never be real; e-mail addresses use reserved example domains.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely
from shapely.geometry import LineString, Point, Polygon, mapping
from shapely.ops import voronoi_diagram

from civic.registry import synthetic_data as data
from civic.registry.base import CONTACT_BATCH_SIZE, Registry
from civic.registry.types import Address, AreaInfo, Contact, ContactStatus, HouseholdType, Person, PopulationQuery

SIZES = {"bjerke": 33_000, "oslo": 700_000}
BATCH_SIZE = 5_000
_HOUSEHOLD_TYPES = (HouseholdType.SINGLE, HouseholdType.COUPLE, HouseholdType.FAMILY_WITH_CHILDREN,
                    HouseholdType.SHARED)
_STATUSES = (ContactStatus.ACTIVE, ContactStatus.DELETED, ContactStatus.NOT_REGISTERED)
_LANGUAGES = ("nb", "nn", "en", "se")
_EPOCH = date(1970, 1, 1).toordinal()
_M_LAT = 111_320.0  # metres per degree of latitude
#: Ages are generated relative to this fixed day so identity numbers never change from one day to the next
#: (reminders re-derive personal tokens from them days later); contact dates are relative to "today".
REFERENCE_DAY = date(2026, 1, 1)


def _ascii(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "aa").replace("ł", "l").replace("ı", "i")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in text if ch.isalnum())


def _fnr_check(digits: np.ndarray) -> np.ndarray:
    """Append the two mod-11 check digits to rows of 9 digits; rows that have none get -1 in both."""
    k1 = (11 - (digits @ np.array([3, 7, 6, 1, 8, 9, 4, 5, 2])) % 11) % 11
    with_k1 = np.column_stack([digits, k1])
    k2 = (11 - (with_k1 @ np.array([5, 4, 3, 2, 7, 6, 5, 4, 3, 2])) % 11) % 11
    bad = (k1 == 10) | (k2 == 10)
    out = np.column_stack([with_k1, k2])
    out[bad] = -1
    return out


def synthetic_national_ids(birth_days: np.ndarray, female: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Unique 11-digit synthetic fødselsnummer (month + 80) as int64 for birth days (days since 1970-01-01)."""
    dates = birth_days.astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype(int) + 1970
    months = dates.astype("datetime64[M]").astype(int) % 12 + 1
    days = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    base = (days * 10_000 + (months + 80) * 100 + years % 100).astype(np.int64)  # DDMMYY
    low = np.where(years >= 2000, 500, 0)  # individnummer ranges: 1900-1999 000-499, 2000-2039 500-999
    result = np.zeros(len(base), dtype=np.int64)
    todo = np.arange(len(base))
    while len(todo):
        ind = low[todo] + 2 * rng.integers(0, 250, len(todo)) + np.where(female[todo], 0, 1)  # 3rd digit: sex
        number = base[todo] * 1000 + ind
        digits = (number[:, None] // 10 ** np.arange(8, -1, -1)) % 10
        checked = _fnr_check(digits)
        ok = checked[:, 0] >= 0
        full = number * 100 + checked[:, 9] * 10 + checked[:, 10]
        result[todo[ok]] = full[ok]
        _, first = np.unique(result, return_index=True)
        dup = np.ones(len(result), dtype=bool)
        dup[first] = False
        todo = np.union1d(todo[~ok], np.flatnonzero(dup | (result == 0)))
    return result


def fnr_is_valid(national_id: str) -> bool:
    """Mod-11 check of an 11-digit fødselsnummer / d-nummer (synthetic or not)."""
    if len(national_id) != 11 or not national_id.isdigit():
        return False
    checked = _fnr_check(np.array([[int(c) for c in national_id[:9]]]))[0]
    return checked[0] >= 0 and "".join(str(d) for d in checked[9:]) == national_id[9:]


@dataclass(frozen=True)
class _Geography:
    outline: Polygon
    cells: dict[str, Polygon]


def _geography(size: str) -> _Geography:
    ring = data.BJERKE_OUTLINE if size == "bjerke" else data.OSLO_OUTLINE
    seeds = data.BJERKE_SUB_DISTRICTS if size == "bjerke" else data.OSLO_SUB_DISTRICTS
    outline = Polygon(ring)
    regions = voronoi_diagram(shapely.MultiPoint(list(seeds.values())), envelope=outline.buffer(0.1))
    cells = {}
    for name, seed in seeds.items():
        region = next(r for r in regions.geoms if r.contains(Point(seed)))
        cells[name] = region.intersection(outline)
    return _Geography(outline, cells)


def _streets(size: str) -> list[tuple[str, tuple[str, ...]]]:
    if size == "bjerke":
        return list(data.BJERKE_STREETS.items())
    by_street: dict[str, list[str]] = {}
    for district, streets in data.OSLO_STREETS.items():
        for street in streets:
            by_street.setdefault(street, []).append(district)
    return [(street, tuple(districts)) for street, districts in by_street.items()]


def _segment(cell: Polygon, rng: np.random.Generator, length_m: float) -> LineString:
    """A straight street piece of about ``length_m`` inside ``cell`` (longest clipped piece of a random line)."""
    minx, miny, maxx, maxy = cell.bounds
    m_lon = _M_LAT * np.cos(np.radians((miny + maxy) / 2))
    best = LineString()
    for _ in range(40):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not cell.contains(Point(x, y)):
            continue
        angle = rng.uniform(0, np.pi)
        dx, dy = np.cos(angle) * length_m / 2 / m_lon, np.sin(angle) * length_m / 2 / _M_LAT
        piece = cell.intersection(LineString([(x - dx, y - dy), (x + dx, y + dy)]))
        pieces = list(getattr(piece, "geoms", [piece]))
        line = max((p for p in pieces if isinstance(p, LineString)), key=lambda p: p.length, default=LineString())
        if line.length > best.length:
            best = line
        if best.length * _M_LAT > length_m * 0.5:
            break
    return best


def _addresses(size: str, geo: _Geography, rng: np.random.Generator, n_addresses: int) -> dict[str, np.ndarray]:
    streets = _streets(size)
    per_street = rng.lognormal(0, 0.6, len(streets))
    per_street = np.maximum(4, np.round(per_street / per_street.sum() * n_addresses)).astype(int)
    cols: dict[str, list] = {k: [] for k in ("street", "code", "number", "letter", "lon", "lat")}
    for s, (_name, districts) in enumerate(streets):
        code = 10_000 + s * 37 % 89_000
        numbers_left = per_street[s]
        number = 1
        for d_i, district in enumerate(districts):
            n_here = numbers_left // (len(districts) - d_i)
            numbers_left -= n_here
            line = _segment(geo.cells[district], rng, float(rng.uniform(300, 900)))
            if line.is_empty:
                continue
            (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
            m_lon = _M_LAT * np.cos(np.radians(y0))
            length = np.hypot((x1 - x0) * m_lon, (y1 - y0) * _M_LAT) or 1.0
            perp = np.array([-(y1 - y0) * _M_LAT / length / m_lon, (x1 - x0) * m_lon / length / _M_LAT])
            n_numbers = max(1, int(n_here / 1.3))
            t = np.sort(rng.uniform(0, 1, n_numbers))
            letters = rng.choice([0, 2, 3], n_numbers, p=[0.8, 0.14, 0.06])
            for i in range(n_numbers):
                side = 1 if number % 2 else -1
                for k in range(max(1, letters[i])):
                    jitter = rng.normal(0, 4, 2)
                    offset = side * (14 + 9 * k)
                    cols["lon"].append(x0 + t[i] * (x1 - x0) + perp[0] * offset + jitter[0] / m_lon)
                    cols["lat"].append(y0 + t[i] * (y1 - y0) + perp[1] * offset + jitter[1] / _M_LAT)
                    cols["street"].append(s)
                    cols["code"].append(code)
                    cols["number"].append(number)
                    cols["letter"].append("ABCD"[k] if letters[i] else "")
                number += 1
    arrays = {k: np.array(v) for k, v in cols.items()}
    inside = shapely.contains_xy(geo.outline, arrays["lon"], arrays["lat"])
    arrays = {k: v[inside] for k, v in arrays.items()}
    district = np.zeros(len(arrays["lon"]), dtype=int)
    for i, cell in enumerate(geo.cells.values()):
        district[shapely.intersects_xy(cell, arrays["lon"], arrays["lat"]) & (district == 0)] = i + 1
    arrays["district"] = np.maximum(district - 1, 0)
    arrays["street_names"] = np.array([name for name, _ in streets], dtype=object)
    return arrays


def _postcode(size: str, district: int) -> str:
    if size == "bjerke":
        return ("0590", "0596", "0598", "0595", "0580", "0581")[district]
    return f"0{(district * 67 + 150) % 1000:03d}"


def _tri(rng, n, lo, mode, hi):
    return rng.triangular(lo, mode, hi, n)


class SyntheticRegistry:
    """Population, contacts and addresses in one object; implements the three registry Protocols."""

    def __init__(self, size: str = "bjerke", seed: int = 20_240_601, today: date | None = None,
                 residents: int | None = None) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown synthetic registry size {size!r}; use one of {sorted(SIZES)}")
        self.size, self.seed = size, seed
        self._fixed_today = today  # tests pin it; otherwise contact dates follow the calendar
        self.target = residents or SIZES[size]
        rng = np.random.default_rng(seed)
        self._geo = _geography(size)
        self._addr = _addresses(size, self._geo, rng, max(60, self.target // 11))
        self._generate_people(rng)
        self._lock = threading.Lock()
        self._persons: list[Person] | None = None
        self._index: dict[str, int] | None = None
        self._address_list: list[Address] | None = None

    @property
    def today(self) -> date:
        return self._fixed_today or date.today()

    # --- generation -------------------------------------------------------------------------------------------
    def _generate_people(self, rng: np.random.Generator) -> None:
        h = int(self.target / 1.9 * 1.1) + 10
        kind = rng.choice(4, h, p=[0.47, 0.20, 0.25, 0.08])
        adults = np.choose(kind, [1, 2, rng.choice([1, 2], h, p=[0.22, 0.78]), rng.choice([2, 3, 4], h,
                                                                                            p=[0.6, 0.3, 0.1])])
        kids = np.where(kind == 2, rng.choice([1, 2, 3, 4], h, p=[0.42, 0.40, 0.14, 0.04]), 0)
        sizes = adults + kids
        h = int(np.searchsorted(np.cumsum(sizes), self.target)) + 1
        kind, adults, kids, sizes = kind[:h], adults[:h], kids[:h], sizes[:h]
        # household-level facts
        gap = rng.uniform(1.2, 4.5, h)
        youngest = rng.uniform(0, 1, h) ** 1.5 * np.maximum(0.2, 17.0 - (kids - 1) * gap)
        oldest_kid = youngest + np.maximum(kids - 1, 0) * gap
        u = rng.uniform(0, 1, h)
        single_age = np.where(u < 0.5, _tri(rng, h, 19, 27, 35), np.where(u < 0.78, rng.uniform(35, 67, h),
                                                                            _tri(rng, h, 67, 70, 99)))
        couple_age = np.where(u < 0.45, _tri(rng, h, 23, 31, 41), np.where(u < 0.75, rng.uniform(41, 67, h),
                                                                             _tri(rng, h, 67, 72, 95)))
        base_age = np.choose(kind, [single_age, couple_age, oldest_kid + _tri(rng, h, 22, 31, 44),
                                    _tri(rng, h, 19, 24, 40)])
        origins = list(data.ORIGIN_SHARES)
        origin = rng.choice(len(origins), h, p=np.array(list(data.ORIGIN_SHARES.values())) / sum(
            data.ORIGIN_SHARES.values()))
        weights = rng.lognormal(0, 1.0, len(self._addr["lon"]))
        address = rng.choice(len(weights), h, p=weights / weights.sum())
        protected = rng.uniform(0, 1, h) < 0.002
        family_name = rng.uniform(0, 1, h)
        # person-level facts
        n = int(sizes.sum())
        hh = np.repeat(np.arange(h), sizes)
        pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        child = pos >= adults[hh]
        child_k = np.where(child, pos - adults[hh], 0)
        own_age = np.where(kind[hh] == 3, _tri(rng, n, 19, 24, 40), base_age[hh] + rng.normal(0, 3, n))
        age = np.where(child, youngest[hh] + child_k * gap[hh], np.where(pos == 0, base_age[hh], own_age))
        age = np.where(child, age, np.maximum(age, 18.2))
        female = rng.uniform(0, 1, n) < 0.5
        partner = (pos == 1) & ((kind[hh] == 1) | (kind[hh] == 2))
        female[partner] = ~female[np.flatnonzero(partner) - 1] ^ (rng.uniform(0, 1, partner.sum()) < 0.04)
        self.birth_day = (np.datetime64(REFERENCE_DAY) - np.round(age * 365.25).astype(int)).astype(np.int64)
        self.national_id = synthetic_national_ids(self.birth_day, female, rng)
        self.household, self.child = hh, child
        self.hh_kind, self.hh_address, self.hh_protected = kind, address, protected
        self._names(rng, origins, origin, hh, female, family_name)
        self._contacts(rng, age, origin[hh])

    def _names(self, rng, origins, origin, hh, female, family_u) -> None:
        pools = {"given": [], "family": []}
        offsets = {k: np.zeros((len(origins), 2), dtype=int) for k in ("female", "male", "family")}
        for g, name in enumerate(origins):
            for key in ("female", "male", "family"):
                target = pools["family" if key == "family" else "given"]
                offsets[key][g] = (len(target), len(data.NAMES[name][key]))
                target.extend(data.NAMES[name][key])
        self.name_pool = {k: np.array(v, dtype=object) for k, v in pools.items()}
        og = origin[hh]
        gender_off = np.where(female[:, None], offsets["female"][og], offsets["male"][og])
        self.given = gender_off[:, 0] + (rng.uniform(0, 1, len(hh)) * gender_off[:, 1]).astype(int)
        # shared households rarely share a family name; others mostly do
        fam_u = np.where(self.hh_kind[hh] == 3, rng.uniform(0, 1, len(hh)), family_u[hh])
        fam = offsets["family"][og]
        self.family = fam[:, 0] + (fam_u * fam[:, 1]).astype(int)

    def _contacts(self, rng, age, origin) -> None:
        n = len(age)
        u = rng.uniform(0, 1, n)
        status = np.zeros(n, dtype=np.int8)
        status[(u >= 0.015) & (u < 0.035)] = 2  # IKKE_REGISTRERT
        status[(u >= 0.035) & (u < 0.040)] = 1  # SLETTET
        status[(age < 13) & (rng.uniform(0, 1, n) < 0.92)] = 2
        status[(age >= 13) & (age < 16) & (rng.uniform(0, 1, n) < 0.45)] = 2
        self.reserved = (u < 0.015) & (status == 0)
        channels = rng.choice(3, n, p=[0.05, 0.04, 0.91])  # e-mail only, mobile only, both
        empty = (u >= 0.040) & (u < 0.050)
        self.has_email = (status == 0) & ~empty & (channels != 1)
        self.has_mobile = (status == 0) & ~empty & (channels != 0)
        self.status = status
        stale_e, stale_m = rng.uniform(0, 1, n) < 0.09, rng.uniform(0, 1, n) < 0.06
        self.email_age = np.where(stale_e, rng.integers(560, 2600, n), rng.integers(0, 530, n))
        self.mobile_age = np.where(stale_m, rng.integers(560, 2600, n), rng.integers(0, 530, n))
        self.email_fmt = rng.integers(0, 3, n)
        self.email_domain = rng.integers(0, len(data.EMAIL_DOMAINS), n)
        a, b = int(rng.integers(1, 10**6)) * 2 + 1, int(rng.integers(0, 10**6))  # odd: a bijection mod 2**k
        self.email_number = (a * np.arange(n) + b) % (1 << 20)
        hole = data.MOBILE_PREFIXES.index(45) * 10**6 + 360_000  # 4536xxxx is not a mobile range
        pool = len(data.MOBILE_PREFIXES) * 10**6 - 10_000
        a2 = int(rng.integers(1, pool // 7)) * 7 + 3
        while np.gcd(a2, pool) != 1:
            a2 += 1
        k = (a2 * np.arange(n, dtype=np.int64) + int(rng.integers(0, pool))) % pool
        k = np.where(k >= hole, k + 10_000, k)
        self.mobile = np.array(data.MOBILE_PREFIXES)[k // 10**6] * 10**6 + k % 10**6
        norwegian = origin == 0
        lang_u = rng.uniform(0, 1, n)
        self.language = np.where(norwegian, np.searchsorted([0.90, 0.965, 0.993], lang_u, side="right"),
                                 np.searchsorted([0.78, 0.79, 0.9995], lang_u, side="right"))

    # --- materialisation ------------------------------------------------------------------------------------
    def _address_key(self, i: int) -> str:
        a = self._addr
        return f"{data.MUNICIPALITY}-{a['code'][i]:05d}-{a['number'][i]}{a['letter'][i]}"

    def _build_persons(self) -> list[Person]:
        ids = [f"{x:011d}" for x in self.national_id.tolist()]
        births = self.birth_day.astype("datetime64[D]").astype(object).tolist()
        keys = [self._address_key(i) for i in range(len(self._addr["lon"]))]
        kids: dict[int, tuple[date, ...]] = {}
        adult_born_before = date(self.today.year - 18, self.today.month, min(self.today.day, 28))
        for i in np.flatnonzero(self.child & (self.birth_day > adult_born_before.toordinal() - _EPOCH)).tolist():
            kids.setdefault(int(self.household[i]), ())
            kids[int(self.household[i])] += (births[i],)
        given = self.name_pool["given"][self.given].tolist()
        family = self.name_pool["family"][self.family].tolist()
        hh = self.household.tolist()
        kinds, addr, prot = self.hh_kind.tolist(), self.hh_address.tolist(), self.hh_protected.tolist()
        is_child = self.child.tolist()
        return [
            Person(ids[i], given[i], family[i], births[i], keys[addr[hh[i]]], _HOUSEHOLD_TYPES[kinds[hh[i]]],
                   () if is_child[i] else kids.get(hh[i], ()), prot[hh[i]])
            for i in range(len(ids))
        ]

    def persons(self) -> list[Person]:
        with self._lock:
            if self._persons is None:
                self._persons = self._build_persons()
                self._index = {p.national_id: i for i, p in enumerate(self._persons)}
            return self._persons

    def _contact(self, i: int, national_id: str) -> Contact:
        today = self.today.toordinal()
        email = mobile = None
        email_on = mobile_on = None
        if self.has_email[i]:
            given = _ascii(self.name_pool["given"][self.given[i]])
            family = _ascii(self.name_pool["family"][self.family[i]])
            local = (f"{given}.{family}", f"{given}{family[:1]}", f"{given[:1]}{family}")[self.email_fmt[i]]
            email = f"{local}{self.email_number[i]}@{data.EMAIL_DOMAINS[self.email_domain[i]]}"
            email_on = date.fromordinal(today - int(self.email_age[i]))
        if self.has_mobile[i]:
            mobile = f"+47{self.mobile[i]}"
            mobile_on = date.fromordinal(today - int(self.mobile_age[i]))
        status = _STATUSES[self.status[i]]
        return Contact(national_id, status, bool(self.reserved[i]), email, email_on, mobile, mobile_on,
                       _LANGUAGES[self.language[i]] if status == ContactStatus.ACTIVE else None)

    # --- the three Protocols --------------------------------------------------------------------------------
    def residents(self, query: PopulationQuery) -> Iterator[list[Person]]:
        if query.municipality != data.MUNICIPALITY:
            return
        mask = np.ones(len(self.birth_day), dtype=bool)
        if query.born_from is not None:
            mask &= self.birth_day >= query.born_from.toordinal() - _EPOCH
        if query.born_to is not None:
            mask &= self.birth_day <= query.born_to.toordinal() - _EPOCH
        people = self.persons()
        chosen = np.flatnonzero(mask).tolist()
        for start in range(0, len(chosen), BATCH_SIZE):
            yield [people[i] for i in chosen[start:start + BATCH_SIZE]]

    def lookup(self, national_ids: Sequence[str]) -> list[Contact]:
        if len(national_ids) > CONTACT_BATCH_SIZE:
            raise ValueError(f"at most {CONTACT_BATCH_SIZE} ids per KRR lookup")
        self.persons()
        assert self._index is not None
        result = []
        for nid in national_ids:
            i = self._index.get(nid)
            result.append(Contact(nid, ContactStatus.NOT_REGISTERED, False) if i is None else self._contact(i, nid))
        return result

    def addresses(self) -> list[Address]:
        with self._lock:
            if self._address_list is None:
                a, names = self._addr, list(self._geo.cells)
                self._address_list = [
                    Address(self._address_key(i), a["street_names"][a["street"][i]], int(a["number"][i]),
                            str(a["letter"][i]), _postcode(self.size, int(a["district"][i])),
                            round(float(a["lat"][i]), 6), round(float(a["lon"][i]), 6), names[a["district"][i]])
                    for i in range(len(a["lon"]))
                ]
            return list(self._address_list)

    def area(self) -> AreaInfo:
        name = "Bydel Bjerke" if self.size == "bjerke" else "Oslo"
        return AreaInfo(name, data.MUNICIPALITY, mapping(self._geo.outline), tuple(self._geo.cells))

    def sub_district_polygons(self) -> dict[str, dict]:
        """GeoJSON geometry of each sub-district (for maps and tests)."""
        return {name: mapping(cell) for name, cell in self._geo.cells.items()}

    # --- read-only helpers for tests and benchmarks ---------------------------------------------------------
    def all_contacts(self) -> Iterator[Contact]:
        for i, person in enumerate(self.persons()):
            yield self._contact(i, person.national_id)

    def all_persons(self) -> Iterator[Person]:
        yield from self.persons()


_CACHE: dict[tuple, SyntheticRegistry] = {}
_CACHE_LOCK = threading.Lock()


def synthetic_registry(size: str = "bjerke", seed: int = 20_240_601) -> SyntheticRegistry:
    """The per-process cached synthetic registry for ``size`` (identity numbers never change with the day)."""
    key = (size, seed)
    with _CACHE_LOCK:
        if key not in _CACHE:
            if len(_CACHE) > 4:
                _CACHE.clear()
            _CACHE[key] = SyntheticRegistry(size, seed)
        return _CACHE[key]


def bundle(registry: SyntheticRegistry) -> Registry:
    return Registry(population=registry, contacts=registry, addresses=registry)
