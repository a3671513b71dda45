"""What the demo focus groups are about: titles, the discussion guides, and the synthetic participants' answers.

The guide of "Bilfrie gater rundt skolene" has one prompt of every kind (open, single and multiple choice,
ranking, statements, open) so every answer form, result view and transcript line has something to show. Each
open answer carries a stance ("for" the car-free streets, "against", or "all" for what both sides say), so the
synthetic votes split the room the way a real session would.
"""

from __future__ import annotations

from typing import Any

from civic.focus_groups.models import PromptKind

LANGUAGES = ["nb", "en"]

LIVE_TITLE = {
    "nb": "Bilfrie gater rundt skolene – fokusgruppe",
    "en": "Car-free streets around the schools – focus group",
}
LIVE_SUMMARY = {
    "nb": "Bydelen vurderer å stenge gatene rett utenfor fire barneskoler for biler når skolen begynner og slutter. "
    "Vi vil høre fra foreldre og naboer før saken går til bydelsutvalget: en skriftlig samtale på nett i en time.",
    "en": "The district is considering closing the streets right outside four primary schools to cars when school "
    "starts and ends. We want to hear from parents and neighbours before the district committee decides: a written "
    "online conversation for one hour.",
}
FINISHED_TITLE = {
    "nb": "Bilfrie gater rundt skolene – fokusgruppe med foreldre",
    "en": "Car-free streets around the schools – focus group with parents",
}
FINISHED_SUMMARY = {
    "nb": "Den første fokusgruppen om skolegater, med foreldre fra Årvoll, Linderud, Tonsenhagen og Veitvet.",
    "en": "The first focus group on school streets, with parents from Årvoll, Linderud, Tonsenhagen and Veitvet.",
}
ASYNC_TITLE = {
    "nb": "Møteplasser for unge i Bjerke – fokusgruppe på nett",
    "en": "Meeting places for young people in Bjerke – online focus group",
}
ASYNC_SUMMARY = {
    "nb": "Hvor møtes ungdom i Bjerke, og hva mangler? Svar når det passer deg i løpet av uka.",
    "en": "Where do young people in Bjerke meet, and what is missing? Answer whenever it suits you this week.",
}

SCHOOLS = ["Årvoll skole", "Linderud skole", "Tonsenhagen skole", "Veitvet skole"]

#: The six prompts (keywords of civic.focus_groups.guide.add_prompt), one of every kind.
GUIDE: list[dict[str, Any]] = [
    {
        "kind": PromptKind.OPEN,
        "text": {
            "nb": "Hvordan kommer barna til skolen i dag, og hva bekymrer dere mest på skoleveien?",
            "en": "How do the children get to school today, and what worries you most on the way?",
        },
        "help_text": {"nb": "Skriv fritt, gjerne med gatenavn.", "en": "Write freely, street names welcome."},
        "max_length": 800,
    },
    {
        "kind": PromptKind.SINGLE_CHOICE,
        "text": {
            "nb": "Hvilken løsning foretrekker du for gata rett utenfor skolen?",
            "en": "Which solution do you prefer for the street right outside the school?",
        },
        "options": [
            {"nb": "Stengt for biler hele skoledagen", "en": "Closed to cars the whole school day"},
            {"nb": "Stengt ved skolestart og skoleslutt", "en": "Closed when school starts and ends"},
            {"nb": "Åpen, men 20 km/t og fartshumper", "en": "Open, but 20 km/h and speed bumps"},
            {"nb": "Som i dag", "en": "As today"},
        ],
    },
    {
        "kind": PromptKind.MULTIPLE_CHOICE,
        "text": {
            "nb": "Hva er viktigst å få på plass hvis gatene blir bilfrie? Velg inntil tre.",
            "en": "What matters most if the streets become car-free? Choose up to three.",
        },
        "options": [
            {"nb": "Trygge steder å slippe av barna et stykke unna", "en": "Safe drop-off points a little way off"},
            {"nb": "Unntak for barn med funksjonsnedsettelser", "en": "Exemptions for children with disabilities"},
            {"nb": "Flere sykkelparkeringer", "en": "More bicycle parking"},
            {"nb": "Bedre busstilbud", "en": "Better bus services"},
            {"nb": "Informasjon og skilting for naboene", "en": "Information and signs for the neighbours"},
            {"nb": "Lek og aktivitet i gata", "en": "Play and activities in the street"},
        ],
        "min_choices": 1,
        "max_choices": 3,
    },
    {
        "kind": PromptKind.RANKING,
        "text": {
            "nb": "Hvor bør bydelen begynne? Ranger skolene fra viktigst til minst viktig.",
            "en": "Where should the district start? Rank the schools from most to least important.",
        },
        "options": [{"nb": school, "en": school} for school in SCHOOLS],
    },
    {
        "kind": PromptKind.STATEMENTS,
        "text": {"nb": "Hva mener du om disse påstandene?", "en": "What do you think of these statements?"},
        "statements": [
            {
                "nb": "Det er for mye biltrafikk rundt skolen om morgenen.",
                "en": "There is too much car traffic around the school in the morning.",
            },
            {
                "nb": "Bilfrie gater gjør det lettere å la barna gå alene.",
                "en": "Car-free streets make it easier to let the children walk alone.",
            },
            {
                "nb": "Naboene vil få mer trafikk i sine gater.",
                "en": "The neighbours will get more traffic in their streets.",
            },
            {
                "nb": "Foreldre som kjører, har ofte ikke noe valg.",
                "en": "Parents who drive often have no choice.",
            },
        ],
    },
    {
        "kind": PromptKind.OPEN,
        "text": {
            "nb": "Hvis du kunne bestemme én ting for skoleveien, hva ville det vært?",
            "en": "If you could decide one thing about the way to school, what would it be?",
        },
        "max_length": 600,
    },
]

#: The follow-up the moderator wrote during the finished session, after the first prompt.
FOLLOW_UP = {
    "nb": "Mange nevner Årvollveien. Hva er det verste der, og når på dagen?",
    "en": "Many of you mention Årvollveien. What is the worst thing there, and at what time of day?",
}

ASYNC_GUIDE: list[dict[str, Any]] = [
    {
        "kind": PromptKind.OPEN,
        "text": {"nb": "Hvor møtes du og vennene dine etter skolen?", "en": "Where do you and your friends meet?"},
    },
    {
        "kind": PromptKind.MULTIPLE_CHOICE,
        "text": {"nb": "Hva savner du mest i nærmiljøet?", "en": "What do you miss most in your neighbourhood?"},
        "options": [
            {"nb": "Et sted å være inne om kvelden", "en": "A place to be indoors in the evening"},
            {"nb": "Ballbaner og skatepark", "en": "Ball courts and a skate park"},
            {"nb": "Steder å henge uten å måtte kjøpe noe", "en": "Places to hang out without buying anything"},
            {"nb": "Bedre busser sent på kvelden", "en": "Better late-evening buses"},
        ],
        "min_choices": 1,
        "max_choices": 2,
    },
    {
        "kind": PromptKind.STATEMENTS,
        "text": {"nb": "Hva mener du?", "en": "What do you think?"},
        "statements": [
            {"nb": "Fritidsklubben burde være åpen i helgene.", "en": "The youth club should open at weekends."},
            {"nb": "Unge blir hørt når bydelen planlegger.", "en": "Young people are heard when the district plans."},
        ],
    },
    {
        "kind": PromptKind.OPEN,
        "text": {"nb": "Hva ville du bygget på Linderud?", "en": "What would you build at Linderud?"},
    },
]

# --- synthetic open answers: (stance, text) ------------------------------------------------------------------

#: The first prompt's answers are built from how the child travels and what worries the parent.
TRAVEL = (
    ("all", "Datteren min går, ca. ti minutter."),
    ("all", "Vi sykler sammen det meste av året."),
    ("against", "Jeg kjører på vei til jobb, det går ikke an ellers."),
    ("all", "Sønnen min tar bussen to stopp og går resten."),
    ("against", "Vi kjører om vinteren og når det regner."),
    ("for", "De går sammen med naboungene."),
    ("against", "Vi bor langt unna og må kjøre, skolen ligger på andre siden av Trondheimsveien."),
    ("for", "Hun går alene nå som hun er ti."),
)
WORRY = (
    ("for", "Det verste er bilene som rygger inn i Årvollveien rett før åtte."),
    ("for", "Foreldre som stopper på fortauet og slipper av barna, det er kaos."),
    ("all", "Krysset ved Tonsenveien har ikke lys, og bilene kjører fort."),
    ("for", "Bilkøen utenfor skolen om morgenen gjør at ungene går ut mellom bilene."),
    ("against", "Jeg er mest bekymret for at trafikken bare flytter seg til gata vår."),
    ("all", "Om vinteren er fortauet ikke brøytet, så ungene går i veien."),
    ("for", "Lastebilene til byggeplassen på Risløkka kjører akkurat når skolen begynner."),
    ("against", "Det er ikke trafikken rundt skolen som er problemet, men Trondheimsveien."),
    ("all", "Det mangler gangfelt ved busstoppet på Linderud."),
    ("for", "Det er så mye eksos at jeg ikke liker at de står og venter der."),
)
ONE_THING = (
    ("for", "Steng gata utenfor skolen ved skolestart og skoleslutt, som de har gjort i Bergen."),
    ("for", "Gjør Årvollveien til skolegate med bom som bare åpner for beboere."),
    ("all", "Lys og gangfelt i krysset ved Tonsenveien, før noen blir påkjørt."),
    ("all", "Brøyt fortauene først, ikke veien."),
    ("against", "Gi oss en trygg avsetningsplass ved idrettsbanen så vi kan slippe av barna der."),
    ("for", "Flere skolepatruljer og voksne langs veien om morgenen."),
    ("against", "Ikke steng noe før bussen går oftere, ellers må vi fortsatt kjøre."),
    ("all", "En trygg sykkelvei fra Veitvet til skolen."),
    ("for", "Fartshumper og 20 km/t i hele området rundt skolen."),
    ("against", "Spør naboene i gatene rundt før dere bestemmer noe."),
    ("for", "Lekegate på fredager, så ungene ser hva gata kan brukes til."),
    ("all", "Bedre belysning på gangveien gjennom parken."),
)
FOLLOW_UP_ANSWERS = (
    ("for", "Mellom kvart på åtte og åtte, da står bilene i dobbel rekke."),
    ("for", "At folk snur i innkjørselen til barnehagen."),
    ("all", "Det er for smalt fortau på nordsiden, ungene må gå i veien."),
    ("against", "Det er verst når bussen står, da kommer ingen forbi."),
    ("for", "Bilene som kjører fort ned bakken fra Refstad."),
    ("all", "Etter skolen også, rundt to, når SFO-ungene går hjem."),
)
ASYNC_MEET = (
    ("all", "På senteret, men vaktene liker ikke at vi sitter der."),
    ("all", "Hjemme hos noen, det finnes ikke noe sted ellers."),
    ("all", "På fotballbanen på Tonsenhagen når det ikke er trening."),
    ("all", "På fritidsklubben på tirsdager og torsdager."),
    ("all", "Ved lekeplassen bak skolen på kvelden."),
)
ASYNC_BUILD = (
    ("all", "En skatepark under tak."),
    ("all", "Et ungdomshus med studierom og musikkrom."),
    ("all", "En basketballbane med lys om kvelden."),
    ("all", "Benker og tak ved T-banen så man kan vente et sted."),
)

#: The answer a moderator hid in the finished session: it names a neighbour.
HIDDEN_ANSWER = "Naboen i nr. 14, Kari Hansen, parkerer alltid på fortauet. Ring henne på 912 34 567."
