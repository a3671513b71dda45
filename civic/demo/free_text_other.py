"""Nynorsk and English sentence templates for the demo's free-text answers (same topics and slots)."""

from __future__ import annotations

TOPICS_NN: dict[str, list[str]] = {
    "commuters": [
        "Gatene rundt {station} er fulle av pendlarar som parkerer her og tek T-banen inn til byen.",
        "Kvar morgon kjem det folk frå andre kommunar og parkerer i {street} før dei går til {station}.",
        "Pendlarparkeringa i {street} er eit stort problem, vi som bur her finn aldri plass etter jobb.",
        "Innfartsparkering høyrer ikkje heime i eit bustadområde. Pendlarane må få eit eige tilbod.",
        "Frå {time} er det umogleg å parkere i {street}, alt er teke av pendlarar.",
    ],
    "resident_fee": [
        "Bebuarparkering er greitt, men prisen må ikkje bli like høg som i sentrum. {kr} kroner i året er nok.",
        "Eg er mot bebuarparkering. Vi må betale for å parkere utanfor vårt eige hus, det er berre ein ny skatt.",
        "Innfør bebuarparkering i {street} så fort som mogleg, vi har venta i mange år.",
        "Kostnaden for bebuarparkering er for høg for pensjonistar og folk med låg inntekt.",
        "Eg er usikker på bebuarparkering. Det kjem an på pris og om det gjeld heile døgnet.",
    ],
    "trades_care": [
        "Heimetenesta brukar lang tid på å finne parkering når dei skal til mor i {street}.",
        "Handverkarane vi leigde inn fekk parkeringsbot to dagar på rad fordi det ikkje finst plass for varebilar.",
        "Det må vere eigne plassar for heimesjukepleia, dei har ikkje tid til å køyre rundt og leite.",
        "Når vi får besøk av familien må dei parkere langt unna, det er vanskeleg for besteforeldra.",
        "Bebuarparkering må ha ei ordning for handverkarar og besøkande, elles blir det umogleg.",
    ],
    "charging": [
        "Vi treng fleire ladepunkt i gata. Mange i {street} har elbil men ingen moglegheit til å lade heime.",
        "Det er altfor få offentlege ladestasjonar {in_place}, eg må køyre til Økern for å lade.",
        "Burettslaget vårt har ikkje råd til å byggje lading i garasjen. Bydelen må hjelpe med ladepunkt.",
        "Eg vil gjerne kjøpe elbil, men utan lademoglegheit nær {street} er det ikkje aktuelt.",
        "Set opp ladestolpar langs {street}, det er god plass der og mange som treng det.",
    ],
    "school_route": [
        "Skulevegen til {school} er livsfarleg. Bilane køyrer altfor fort i {street} når borna går til skulen.",
        "Vi treng fartsdumpar i {street}. Folk køyrer i 50–60 km/t forbi leikeplassen.",
        "Foreldre som køyrer borna heilt fram til {school} skaper kaos kvar morgon.",
        "Det er for mørkt langs skulevegen i {street} om vinteren. Betre gatelys, takk.",
        "Fartsgrensa bør vere 30 km/t i heile {place}, særleg rundt skulane og barnehagane.",
    ],
    "snow": [
        "Brøytebilen kjem ikkje fram i {street} fordi bilar står parkerte på begge sider heile vinteren.",
        "Brøytinga {in_place} er elendig. Vi vart snødde inne i tre dagar i januar.",
        "Fortaua i {street} blir ikkje brøyta før lenge etter vegen, og eldre kan ikkje gå ut når det er glatt.",
        "Det burde vere parkeringsforbod på éi side av {street} om vinteren så brøytebilen kjem fram.",
        "Send melding når det skal brøytast, så flyttar vi bilane. Det fungerer i andre bydelar.",
    ],
    "car_free": [
        "Eg ønskjer fleire bilfrie gater {in_place}. Det ville gjort nabolaget tryggare og trivelegare.",
        "Gjer {street} til gågate eller sommargate, med benkar, blomar og plass for borna å leike.",
        "Vi treng meir byliv og færre parkerte bilar. Gata bør vere for folk, ikkje for bilane.",
        "Fjern nokre parkeringsplassar og plant tre i staden. {street} er grå og kjedeleg.",
        "Eg er imot bilfrie gater. Eldre og rørslehemma må kunne køyre heilt fram.",
    ],
    "transit": [
        "Med betre kollektivtilbod hadde vi ikkje trengt bil nummer to. {bus} går for sjeldan på kveldstid.",
        "Bussane {in_place} er ofte forseinka og fulle. Då blir det bilen i staden.",
        "Kollektivtrafikken på tvers av Groruddalen er dårleg. Skal ein til Alna må ein via sentrum.",
        "Viss {bus} gjekk kvart tiande minutt ville eg late bilen stå heime.",
        "Busstoppet i {street} manglar leskur og benk, det er vanskeleg for eldre å vente der.",
    ],
    "bikes": [
        "Vi treng sykkelparkering under tak ved {station} og ved butikkane {in_place}.",
        "Sykkelstativa ved {station} er alltid fulle, og det blir stole mykje syklar der.",
        "Det manglar samanhengande sykkelveg frå {place} til sentrum. Sykkelfeltet i {street} sluttar brått.",
        "Byggj sykkelhotell ved {station}, då ville mange fleire sykla til T-banen.",
        "Sykkelparkeringa ved {school} er for lita. Borna må låse syklane til gjerdet.",
    ],
    "through_traffic": [
        "Det er mykje gjennomkøyring i {street} av folk som skal til og frå Økern og Ring 3.",
        "Tungtrafikken til byggjeplassane på Økern køyrer gjennom {street} heile dagen. Mykje støy og støv.",
        "Navigasjonsappane sender bilane gjennom {street} når det er kø på Trondheimsveien.",
        "Stengd for gjennomkøyring i {street} ville løyst mykje av trafikkproblemet.",
        "Trafikkstøyen frå {street} gjer at vi ikkje kan ha vindauga opne om sommaren.",
    ],
}

TOPICS_EN: dict[str, list[str]] = {
    "commuters": [
        "The streets around {station} are full of commuters who park here and take the metro into town.",
        "Every morning people from other municipalities park in {street} and walk to {station} station.",
        "Commuter parking in {street} is a real problem, we never find a space after work.",
    ],
    "resident_fee": [
        "Resident parking is fine, but the price must not be as high as in the city centre. {kr} NOK a year max.",
        "I am against resident parking. Paying to park outside your own home is just another tax.",
        "Please introduce resident parking in {street}, we have been waiting for years.",
    ],
    "trades_care": [
        "Home care staff spend ages looking for parking when they visit my mother in {street}.",
        "Our tradespeople got parking tickets two days in a row because there is no space for vans.",
        "There should be visitor permits for guests and tradespeople if resident parking comes.",
    ],
    "charging": [
        "We need more charging points in the street. Many in {street} have an electric car but cannot charge at home.",
        "There are far too few public chargers in {place}, I have to drive to Økern to charge.",
        "The charging spots in {street} are always taken by the same cars that stay there all day.",
    ],
    "school_route": [
        "The school route to {school} is dangerous. Cars drive far too fast in {street} when kids walk to school.",
        "We need speed bumps in {street}. People drive 50–60 km/h past the playground.",
        "Parents dropping kids off right outside {school} create chaos every morning.",
    ],
    "snow": [
        "The snow plough cannot get through {street} because cars are parked on both sides all winter.",
        "Snow clearing in {place} is terrible. Pavements stay icy for days and older people stay inside.",
        "Please ban parking on one side of {street} in winter so the plough can get through.",
    ],
    "car_free": [
        "I would love more car-free streets in {place}. Benches, trees and space for kids to play.",
        "Turn {street} into a summer street with street life instead of parked cars.",
        "Car-free streets around {school} during school hours would be great.",
    ],
    "transit": [
        "With better public transport we would not need a second car. {bus} runs too rarely in the evening.",
        "Buses in {place} are often late and full, so people drive instead.",
        "Crosstown public transport in Groruddalen is poor; you have to go via the city centre.",
    ],
    "bikes": [
        "We need covered bicycle parking at {station} and near the shops in {place}.",
        "The bike racks at {station} are always full and bikes get stolen there.",
        "There is no continuous cycle lane from {place} to the city centre. The bike lane in {street} just ends.",
    ],
    "through_traffic": [
        "There is a lot of through traffic in {street} from people going to Økern and Ring 3.",
        "Heavy trucks to the Økern building sites drive through {street} all day. Lots of noise and dust.",
        "Navigation apps send cars through {street} whenever Trondheimsveien is jammed.",
    ],
}

OPENERS_NN = [
    "Hei!",
    "Takk for at de spør.",
    "Bur i {street}.",
    "Kort frå meg:",
    "Fint med ei slik undersøking.",
]
CLOSERS_NN = ["Takk.", "Helsing ein bebuar.", "Håpar de lyttar.", "Elles er det fint å bu her."]
SHORT_NN = ["nei", "Nei takk", "Ingen kommentar.", "Ikkje noko meir."]

OPENERS_EN = ["Hi!", "Thanks for asking.", "I live in {street}.", "Good to see this survey."]
CLOSERS_EN = ["Thanks.", "Hope you listen to residents.", "Otherwise a nice place to live."]
SHORT_EN = ["no", "No comment.", "Nothing more, thanks."]
