"""Questionnaire definitions the tests share."""

# A definition with every feature: scales and options, every item type, help texts, an
# intro, bounds, lengths, defaults from the unit, prefilling.
EVERYTHING = {
    "key": "pilot",
    "version": 1,
    "prefill_from_previous_round": True,
    "title": {"fi": "Kokeilu", "sv": "Försök", "en": "Pilot"},
    "intro": {"fi": "Alku", "sv": "Början", "en": "Start"},
    "scales": {
        "yes_no": [
            {"value": "yes", "label": {"fi": "Kyllä", "sv": "Ja", "en": "Yes"}},
            {"value": "no", "label": {"fi": "Ei", "sv": "Nej", "en": "No"}},
        ]
    },
    "sections": [
        {
            "code": "s1",
            "title": {"fi": "Osa", "sv": "Del", "en": "Part"},
            "items": [
                {
                    "code": "a1",
                    "type": "single_choice",
                    "scale": "yes_no",
                    "required": True,
                    "text": {"fi": "Yksi", "sv": "Ett", "en": "One"},
                    "help": {"fi": "Apu", "sv": "Hjälp", "en": "Help"},
                },
                {
                    "code": "a2",
                    "type": "multiple_choice",
                    "options": [
                        {"value": "x", "label": {"fi": "X", "sv": "X", "en": "X"}},
                        {"value": "y", "label": {"fi": "Y", "sv": "Y", "en": "Y"}},
                    ],
                    "text": {"fi": "Kaksi", "sv": "Två", "en": "Two"},
                },
                {
                    "code": "a3",
                    "type": "number",
                    "min": 0,
                    "max": 1000.5,
                    "text": {"fi": "Kolme", "sv": "Tre", "en": "Three"},
                },
                {
                    "code": "a4",
                    "type": "number",
                    "whole": True,
                    "min": -5,
                    "text": {"fi": "Neljä", "sv": "Fyra", "en": "Four"},
                },
            ],
        },
        {
            "code": "s2",
            "title": {"fi": "Toinen", "sv": "Andra", "en": "Second"},
            "items": [
                {
                    "code": "b1",
                    "type": "short_text",
                    "max_length": 200,
                    "default_from": "unit.name",
                    "text": {"fi": "Nimi", "sv": "Namn", "en": "Name"},
                },
                {
                    "code": "b2",
                    "type": "long_text",
                    "text": {"fi": "Kerro", "sv": "Berätta", "en": "Tell"},
                },
            ],
        },
    ],
}
