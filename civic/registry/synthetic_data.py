"""Static inputs for the synthetic registry: areas, streets and names.

Why a separate module: the generator in ``synthetic.py`` should read as an algorithm, not as a list of streets.
Street names are real streets of Oslo (Bjerke's six sub-districts for the default population; a handful per bydel
for the Oslo-sized benchmark population); their geometry here is approximate and generated, not surveyed. Coordinates
are (lon, lat) in EPSG:4326. Names are common Norwegian names and names common among Oslo's immigrant communities.
"""

from __future__ import annotations

MUNICIPALITY = "0301"  # Oslo

# --- Bydel Bjerke --------------------------------------------------------------------------------------------------

#: A plausible outline of Bydel Bjerke (closed ring, lon/lat).
BJERKE_OUTLINE: tuple[tuple[float, float], ...] = (
    (10.7880, 59.9310),
    (10.7990, 59.9285),
    (10.8150, 59.9280),
    (10.8300, 59.9290),
    (10.8420, 59.9320),
    (10.8450, 59.9380),
    (10.8440, 59.9460),
    (10.8380, 59.9510),
    (10.8250, 59.9520),
    (10.8100, 59.9515),
    (10.7980, 59.9480),
    (10.7870, 59.9420),
    (10.7855, 59.9360),
    (10.7880, 59.9310),
)

#: Sub-district seed points; each sub-district is the part of the outline nearest to its seed (a Voronoi cell).
BJERKE_SUB_DISTRICTS: dict[str, tuple[float, float]] = {
    "Tonsenhagen": (10.7960, 59.9420),
    "Årvoll": (10.8150, 59.9465),
    "Veitvet": (10.8390, 59.9470),
    "Linderud": (10.8360, 59.9380),
    "Risløkka": (10.8220, 59.9335),
    "Økern": (10.8030, 59.9320),
}

#: Street name -> sub-districts it runs through.
BJERKE_STREETS: dict[str, tuple[str, ...]] = {
    "Trondheimsveien": ("Risløkka", "Linderud", "Veitvet"),
    "Østre Aker vei": ("Økern", "Risløkka", "Linderud"),
    "Økernveien": ("Økern",),
    "Økern torgvei": ("Økern",),
    "Ulvenveien": ("Økern",),
    "Brobekkveien": ("Økern", "Risløkka"),
    "Kabelgata": ("Økern",),
    "Lørenveien": ("Økern",),
    "Hasleveien": ("Økern",),
    "Refstadveien": ("Økern", "Årvoll"),
    "Refstad allé": ("Årvoll",),
    "Risløkkveien": ("Risløkka",),
    "Bjerkealléen": ("Risløkka",),
    "Vollebekkveien": ("Risløkka",),
    "Nils Collett Vogts vei": ("Risløkka",),
    "Lillebergsvingen": ("Risløkka",),
    "Årvollveien": ("Årvoll", "Tonsenhagen"),
    "Statsråd Mathiesens vei": ("Årvoll",),
    "Årvollåsen": ("Årvoll",),
    "Sandåsveien": ("Årvoll",),
    "Sletteløkka": ("Årvoll", "Tonsenhagen"),
    "Årvoll gårds vei": ("Årvoll",),
    "Solhauggata": ("Årvoll",),
    "Nordtvetveien": ("Årvoll",),
    "Tonsenveien": ("Tonsenhagen",),
    "Kapellveien": ("Tonsenhagen",),
    "Lofthusveien": ("Tonsenhagen",),
    "Tonsen allé": ("Tonsenhagen",),
    "Grefsenveien": ("Tonsenhagen",),
    "Tonsenhagens vei": ("Tonsenhagen",),
    "Linderudsletta": ("Linderud",),
    "Linderud allé": ("Linderud",),
    "Linderudkollen": ("Linderud",),
    "Erich Mogensøns vei": ("Linderud",),
    "Karl Staaffs vei": ("Linderud",),
    "Rolf Wickstrøms vei": ("Linderud",),
    "Kalbakkveien": ("Linderud",),
    "Veitvetveien": ("Veitvet",),
    "Veitvetsvingen": ("Veitvet",),
    "Veitvetsletta": ("Veitvet",),
    "Veitvet allé": ("Veitvet",),
    "Bergensveien": ("Veitvet",),
    "Vollebekkbakken": ("Veitvet",),
    "Haugerudveien": ("Veitvet",),
}

# --- Oslo (benchmark population) -----------------------------------------------------------------------------------

OSLO_OUTLINE: tuple[tuple[float, float], ...] = (
    (10.6250, 59.9100),
    (10.6600, 59.8980),
    (10.7200, 59.8950),
    (10.7450, 59.8600),
    (10.7700, 59.8250),
    (10.8250, 59.8150),
    (10.8700, 59.8300),
    (10.8900, 59.8700),
    (10.9500, 59.9200),
    (10.9500, 59.9650),
    (10.9000, 59.9780),
    (10.8200, 59.9750),
    (10.7500, 59.9780),
    (10.6700, 59.9720),
    (10.6250, 59.9450),
    (10.6250, 59.9100),
)

OSLO_SUB_DISTRICTS: dict[str, tuple[float, float]] = {
    "Gamle Oslo": (10.7800, 59.9050),
    "Grünerløkka": (10.7680, 59.9260),
    "Sagene": (10.7530, 59.9380),
    "St. Hanshaugen": (10.7380, 59.9260),
    "Frogner": (10.7050, 59.9200),
    "Ullern": (10.6550, 59.9250),
    "Vestre Aker": (10.6900, 59.9550),
    "Nordre Aker": (10.7650, 59.9580),
    "Bjerke": (10.8150, 59.9400),
    "Grorud": (10.8750, 59.9600),
    "Stovner": (10.9250, 59.9600),
    "Alna": (10.8650, 59.9300),
    "Østensjø": (10.8300, 59.8950),
    "Nordstrand": (10.7900, 59.8600),
    "Søndre Nordstrand": (10.8200, 59.8320),
}

OSLO_STREETS: dict[str, tuple[str, ...]] = {
    "Gamle Oslo": ("Tøyengata", "Grønlandsleiret", "Schweigaards gate", "Jens Bjelkes gate", "Hagegata",
                   "Vålerenggata", "Etterstadgata", "Kampengata", "Smalgangen", "Enebakkveien"),
    "Grünerløkka": ("Thorvald Meyers gate", "Markveien", "Seilduksgata", "Sofienberggata", "Toftes gate",
                    "Dælenenggata", "Helgesens gate", "Sinsenveien", "Hasleveien", "Trondheimsveien"),
    "Sagene": ("Sandakerveien", "Vogts gate", "Kierschows gate", "Bentsebrugata", "Sagveien",
               "Arendalsgata", "Hans Nielsen Hauges gate", "Københavngata", "Maridalsveien", "Uelands gate"),
    "St. Hanshaugen": ("Ullevålsveien", "Waldemar Thranes gate", "Pilestredet", "Thereses gate", "Suhms gate",
                       "Colletts gate", "Geitmyrsveien", "Bislettgata", "Dalsbergstien", "Sporveisgata"),
    "Frogner": ("Bogstadveien", "Bygdøy allé", "Frognerveien", "Gyldenløves gate", "Niels Juels gate",
                "Gabels gate", "Thomas Heftyes gate", "Holmboes gate", "Kirkeveien", "Drammensveien"),
    "Ullern": ("Hoffsveien", "Ullernchausseen", "Montebelloveien", "Bestumveien", "Ullernåsen",
               "Hovseterveien", "Lilleakerveien", "Vækerøveien", "Øraker allé", "Smestadveien"),
    "Vestre Aker": ("Sørkedalsveien", "Holmenkollveien", "Slemdalsveien", "Tuengen allé", "Risalléen",
                    "Gulleråsveien", "Heggelibakken", "Vettakollveien", "Peder Ankers vei", "Stasjonsveien"),
    "Nordre Aker": ("Grefsenveien", "Kjelsåsveien", "Tåsenveien", "Nordbergveien", "Sognsveien",
                    "Kongleveien", "Lofthusveien", "Myrerskogveien", "Maridalsveien", "Kapellveien"),
    "Bjerke": tuple(BJERKE_STREETS)[:12],
    "Grorud": ("Grorudveien", "Ammerudveien", "Kalbakkveien", "Romsåsveien", "Rødtvetveien",
               "Ammerudhellinga", "Grorud allé", "Nordtvetveien", "Bredtvetveien", "Trondheimsveien"),
    "Stovner": ("Stovnerveien", "Fossumberget", "Vestlisvingen", "Haugenstuveien", "Tokerudberget",
                "Rommensvingen", "Stovner senter", "Karl Fossums vei", "Gamle Hovsetervei", "Vestliveien"),
    "Alna": ("Furusetveien", "Tvetenveien", "Haugerudveien", "Hellerudveien", "Lindebergåsen",
             "Ellingsrudveien", "Strømsveien", "Jerikoveien", "Trosterudveien", "Smedstuveien"),
    "Østensjø": ("Østensjøveien", "Bølerlia", "Manglerudveien", "Oppsalstubben", "Vetlandsveien",
                 "Haakon Tveters vei", "Skøyenåsveien", "Abildsøveien", "Bogerudveien", "Ryenbergveien"),
    "Nordstrand": ("Ekebergveien", "Kongsveien", "Nordstrandveien", "Lambertseterveien", "Bekkelagsveien",
                   "Ljabruveien", "Sæterveien", "Munkelia", "Simensbråtveien", "Lambertseter allé"),
    "Søndre Nordstrand": ("Holmliaveien", "Mortensrudveien", "Hauketoveien", "Prinsdalsskogen", "Stenbråtlia",
                          "Bjørndalsbakken", "Lofsrudhavna", "Mortensrudlia", "Holmlia senter vei", "Gjersrudveien"),
}

# --- Names ---------------------------------------------------------------------------------------------------------

#: Origin groups with their share of households (Bjerke: roughly 40 % with immigrant background).
ORIGIN_SHARES: dict[str, float] = {
    "norwegian": 0.60,
    "pakistani": 0.07,
    "somali": 0.05,
    "polish": 0.06,
    "arabic": 0.05,
    "swedish": 0.03,
    "turkish": 0.03,
    "vietnamese": 0.02,
    "tamil": 0.02,
    "eritrean": 0.02,
    "lithuanian": 0.02,
    "filipino": 0.01,
    "afghan": 0.02,
}

NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "norwegian": {
        "female": ("Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg", "Hilde",
                   "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin", "Emma",
                   "Nora", "Sofie", "Ella", "Olivia", "Ingeborg", "Sara", "Thea", "Maja", "Silje", "Tone", "Hanne",
                   "Camilla", "Ragnhild", "Sigrid", "Julie", "Frida", "Vilde", "Mari", "Åse"),
        "male": ("Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas", "Hans", "Geir",
                 "Tor", "Morten", "Terje", "Odd", "Martin", "Erik", "Jon", "Andreas", "Jakob", "Emil", "Noah",
                 "Oliver", "Filip", "William", "Lucas", "Henrik", "Magnus", "Sindre", "Håkon", "Øyvind", "Espen",
                 "Trond", "Rune", "Even", "Sverre", "Aksel", "Tobias", "Eirik"),
        "family": ("Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
                   "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen",
                   "Andreassen", "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen",
                   "Jakobsen", "Moen", "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen",
                   "Martinsen", "Paulsen", "Bakken", "Kristoffersen", "Mathisen", "Lie", "Nordmann", "Amundsen",
                   "Rønning", "Bråthen", "Aas", "Myhre", "Holm", "Berntsen", "Vik", "Ødegård"),
    },
    "pakistani": {
        "female": ("Ayesha", "Fatima", "Sana", "Amna", "Nida", "Hina", "Saima", "Zainab", "Mariam", "Iqra"),
        "male": ("Muhammad", "Ali", "Ahmed", "Usman", "Bilal", "Hamza", "Imran", "Faisal", "Tariq", "Zeeshan"),
        "family": ("Khan", "Ahmed", "Hussain", "Iqbal", "Butt", "Malik", "Chaudhry", "Shah", "Akhtar", "Raza"),
    },
    "somali": {
        "female": ("Hodan", "Fadumo", "Sahra", "Amina", "Hawa", "Ifrah", "Nimco", "Ubah", "Khadra", "Asha"),
        "male": ("Abdirahman", "Mohamed", "Abdullahi", "Ahmed", "Hassan", "Omar", "Yusuf", "Abdi", "Farah", "Ismail"),
        "family": ("Mohamed", "Ali", "Hassan", "Abdi", "Farah", "Warsame", "Aden", "Jama", "Osman", "Hussein"),
    },
    "polish": {
        "female": ("Anna", "Katarzyna", "Magdalena", "Agnieszka", "Joanna", "Monika", "Ewa", "Zofia", "Marta",
                   "Natalia"),
        "male": ("Piotr", "Krzysztof", "Tomasz", "Paweł", "Marcin", "Michał", "Jakub", "Łukasz", "Kamil", "Adam"),
        "family": ("Nowak", "Kowalski", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński",
                   "Szymański", "Woźniak", "Dąbrowski"),
    },
    "arabic": {
        "female": ("Fatima", "Noor", "Rana", "Layla", "Huda", "Yasmin", "Rania", "Lina", "Dina", "Salma"),
        "male": ("Ahmad", "Mohammed", "Omar", "Khaled", "Hussein", "Ali", "Karim", "Yousef", "Mustafa", "Hassan"),
        "family": ("Al-Hassan", "Haddad", "Khalil", "Saleh", "Nasser", "Mansour", "Abbas", "Hamdan", "Jaber",
                   "Darwish"),
    },
    "swedish": {
        "female": ("Karin", "Linnéa", "Elin", "Johanna", "Malin", "Emelie"),
        "male": ("Johan", "Anders", "Fredrik", "Mikael", "Gustav", "Oskar"),
        "family": ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindqvist", "Svensson"),
    },
    "turkish": {
        "female": ("Ayşe", "Elif", "Zeynep", "Emine", "Merve", "Fatma"),
        "male": ("Mehmet", "Mustafa", "Emre", "Murat", "Hüseyin", "Kemal"),
        "family": ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Aydın", "Öztürk"),
    },
    "vietnamese": {
        "female": ("Lan", "Linh", "Mai", "Thu", "Hoa", "Ngoc"),
        "male": ("Minh", "Tuan", "Duc", "Hung", "Nam", "Quang"),
        "family": ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang"),
    },
    "tamil": {
        "female": ("Priya", "Kavitha", "Tharsini", "Nirosha", "Lavanya", "Meena"),
        "male": ("Suresh", "Kumar", "Tharmalingam", "Sivakumar", "Ravi", "Arun"),
        "family": ("Sivarajah", "Thavarajah", "Kanagaratnam", "Selvarajah", "Balasingham", "Nadarajah"),
    },
    "eritrean": {
        "female": ("Helen", "Selam", "Rahel", "Senait", "Luwam", "Tsega"),
        "male": ("Yonas", "Daniel", "Tesfay", "Mehari", "Samuel", "Habtom"),
        "family": ("Tesfamariam", "Gebremedhin", "Haile", "Berhane", "Kidane", "Tekle"),
    },
    "lithuanian": {
        "female": ("Rūta", "Jurgita", "Inga", "Asta", "Laura", "Agnė"),
        "male": ("Tomas", "Mantas", "Darius", "Jonas", "Andrius", "Paulius"),
        "family": ("Kazlauskas", "Jankauskas", "Petrauskas", "Stankevičius", "Vasiliauskas", "Žukauskas"),
    },
    "filipino": {
        "female": ("Maria", "Rowena", "Jocelyn", "Analyn", "Cristina", "Grace"),
        "male": ("Jose", "Mark", "John Paul", "Ramon", "Christian", "Jerome"),
        "family": ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Mendoza"),
    },
    "afghan": {
        "female": ("Parwana", "Zahra", "Maryam", "Shabnam", "Farida", "Nazanin"),
        "male": ("Ahmad", "Mohammad", "Hamid", "Farid", "Naveed", "Jawad"),
        "family": ("Ahmadi", "Hakimi", "Rahimi", "Karimi", "Noori", "Sultani"),
    },
}

#: Reserved example domains (RFC 2606 / RFC 6761): synthetic e-mail can never reach a real person.
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "eksempel.example")

#: Norwegian mobile prefixes libphonenumber accepts as mobile (4x with x in 0,1,5-8; 9x).
MOBILE_PREFIXES = (40, 41, 45, 46, 47, 48, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99)
