"""Small-cell suppression, by hand: fewer than the threshold shows "<5", and a single
hidden group takes the next smallest with it so the total cannot give it back."""

from survey_app.results.suppression import hidden_groups, suppressed_label, total_gives_away


def test_nothing_hidden_when_every_group_is_large_enough():
    assert hidden_groups({"Itä-Suomi": 6, "Lappi": 5}, 5) == set()


def test_a_single_small_group_takes_the_next_smallest_with_it():
    # Total 13 stays visible: with Lappi (2) alone hidden, 13 - 6 - 5 = 2 would give its
    # number back; hiding Pohjois-Suomi (5) too leaves only their sum, 7.
    respondents = {"Itä-Suomi": 6, "Pohjois-Suomi": 5, "Lappi": 2}
    hidden = hidden_groups(respondents, 5)
    assert hidden == {"Lappi", "Pohjois-Suomi"}
    shown = sum(n for group, n in respondents.items() if group not in hidden)
    assert sum(respondents.values()) - shown == 7  # only the sum of two hidden groups


def test_two_small_groups_need_no_third():
    respondents = {"A": 10, "B": 9, "C": 3, "D": 1}
    assert hidden_groups(respondents, 5) == {"C", "D"}


def test_ties_are_broken_by_name_and_the_threshold_is_configurable():
    assert hidden_groups({"B": 7, "A": 7, "C": 2}, 5) == {"A", "C"}
    assert hidden_groups({"A": 7, "B": 8, "C": 9}, 8) == {"A", "B"}
    assert hidden_groups({"A": 7, "B": 8, "C": 9}, 3) == set()


def test_two_groups_one_small_hides_both():
    assert hidden_groups({"active": 12, "preparing": 1}, 5) == {"active", "preparing"}


def test_a_single_group_is_hidden_alone_and_the_label():
    assert hidden_groups({"Lappi": 2}, 5) == {"Lappi"}
    assert hidden_groups({}, 5) == set()
    assert suppressed_label(5) == "<5"


def test_the_total_is_hidden_only_when_it_is_one_hidden_groups_own_numbers():
    assert total_gives_away({"Lappi": 2}, {"Lappi"})
    assert not total_gives_away({"Lappi": 2, "Oulu": 3}, {"Lappi", "Oulu"})
    assert not total_gives_away({"Lappi": 2, "Oulu": 9, "Kemi": 8}, {"Lappi", "Kemi"})
    assert not total_gives_away({"Oulu": 9}, set())
