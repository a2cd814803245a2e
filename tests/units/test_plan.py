"""The pure import plan: what a file would change, before anything is written."""

from survey_app.units.plan import plan_import


def unit(code, region="Itä-Suomi", deactivated=False, **values):
    return {
        "code": code,
        "name": f"Yksikkö {code}",
        "field": "Lastensuojelu",
        "status": "active",
        "region": region,
        "municipality": "",
        "contact_name": "",
        "contact_email": f"{code.lower()}@kehy.fi",
        "language": "fi",
        "deactivated": deactivated,
        **values,
    }


def record(code, **values):
    values = unit(code, **values)
    del values["deactivated"]
    return values


def roster(*units):
    return {u["code"]: {k: v for k, v in u.items() if k != "code"} for u in units}


CURRENT = roster(
    unit("A"), unit("B"), unit("C", deactivated=True), unit("D"), unit("L", region="Lappi")
)


def test_new_changed_unchanged_reactivated_and_left_out():
    rows = [
        (2, record("A", contact_email="uusi@kehy.fi", status="preparing")),
        (3, record("B")),
        (4, record("C")),
        (5, record("N")),
    ]
    plan = plan_import(rows, CURRENT)
    assert plan.problems == []
    assert plan.new == [(5, record("N"))]
    assert [(u.row, u.code, u.changes, u.reactivate) for u in plan.updates] == [
        (
            2,
            "A",
            [("status", "active", "preparing"), ("contact_email", "a@kehy.fi", "uusi@kehy.fi")],
            False,
        ),
        (4, "C", [], True),
    ]
    assert plan.unchanged == ["B"]
    assert plan.left_out == [("D", "Yksikkö D"), ("L", "Yksikkö L")]  # active, not listed


def test_a_region_limits_the_plan_and_names_foreign_rows():
    rows = [
        (2, record("A")),
        (3, record("X", region="Lappi")),
        (4, record("L")),  # Lappi's unit claimed for Itä-Suomi
    ]
    plan = plan_import(rows, CURRENT, region="Itä-Suomi")
    assert [(p.row, p.kind) for p in plan.problems] == [
        (3, "other_region"),
        (4, "code_in_other_region"),
    ]
    assert str(plan.problems[0]) == "row 3: region 'Lappi' is not Itä-Suomi"
    assert plan.new == [] and plan.updates == []
    assert plan.left_out == [("B", "Yksikkö B"), ("D", "Yksikkö D")]  # never Lappi's


def test_the_fingerprint_follows_what_would_be_written_and_overwritten():
    rows = [(2, record("A", name="Uusi nimi")), (3, record("N"))]
    first = plan_import(rows, CURRENT).fingerprint()
    assert plan_import(rows, CURRENT).fingerprint() == first
    # someone renamed A meanwhile: the same file now overwrites another value
    changed = roster(*[unit(c) for c in "BD"], unit("A", name="Joku muu"))
    assert plan_import(rows, changed).fingerprint() != first
    # a unit that is not in the file came or went: nothing written differs
    fewer = {code: values for code, values in CURRENT.items() if code != "D"}
    assert plan_import(rows, fewer).fingerprint() == first
