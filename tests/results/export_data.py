"""What the exports of the results conftest's `export_dataset` hold: the JSON worked
out by hand, the criteria columns, the formula-like profile texts; and a CSV reader."""

import csv
import io

ZEROS = {"yes": 0, "planned": 0, "no": 0}
CRITERIA = ["k1_1", "k1_2", "k1_3", "k2_1", "k2_2", "k2_3", "k3_1", "k3_2", "k3_3", "k4_1", "k4_2"]
HOSTILE = {
    "kehy_other": '=HYPERLINK("http://evil.example","klikkaa")',
    "kehy_area": "+358 40 123",
    "kehy_staff": "@tiimi",
    "kehy_funding": "-50 % kunnilta",
    "kehy_period": "\t2008–2010",
    "kehy_methods": "\rpiilossa",
    "kehy_mission": 'Rivi 1\nRivi "2", pilkulla',
}


def expected_json():
    items = [
        {
            "code": code,
            "criterion": int(code[1]),
            "answered": 0,
            "counts": dict(ZEROS),
            "percent": dict(ZEROS),
        }
        for code in CRITERIA
    ]
    items[0].update(
        answered=3,
        counts={"yes": 2, "planned": 0, "no": 1},
        percent={"yes": 67, "planned": 0, "no": 33},
    )
    items[1].update(answered=1, counts={**ZEROS, "planned": 1}, percent={**ZEROS, "planned": 100})
    return {
        "round": "syksy",
        "invited": 5,
        "responded": 3,
        "units": {
            "by_field": {"Lastensuojelu": {"active": 4, "preparing": 1}},
            "by_region": {
                "Itä-Suomi": {"active": 3, "preparing": 0},
                "Lappi": {"active": 1, "preparing": 1},
            },
        },
        "items": items,
    }


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
