"""Small-cell suppression for the report's breakdowns (pure functions, no database).

A group (a field, a region, a status) with fewer respondents than the threshold is
hidden ("<5"). Hiding one group alone is not enough while the total stays visible: the
total minus the shown groups would give it back. So when exactly one group of a
breakdown is hidden, the next smallest is hidden too; two hidden groups only ever give
away their sum. The same groups are hidden for every item of the breakdown (they are
chosen by respondents, not per item), so no item's column gives another one away.
"""

from collections.abc import Mapping


def hidden_groups(respondents: Mapping[str, int], minimum: int) -> set[str]:
    """The groups to hide, given each group's number of respondents."""
    hidden = {group for group, count in respondents.items() if count < minimum}
    shown = [group for group in respondents if group not in hidden]
    if len(hidden) == 1 and shown:
        # Complementary suppression: the smallest shown group (ties: by name, stable).
        hidden.add(min(shown, key=lambda group: (respondents[group], group)))
    return hidden


def total_gives_away(respondents: Mapping[str, int], hidden: set[str]) -> bool:
    """Whether the total would show a hidden group's own numbers: when every group of
    the breakdown is hidden and there is only one (a regional admin's region table)."""
    return len(hidden) == 1 and hidden == set(respondents)


def suppressed_label(minimum: int) -> str:
    """What a hidden cell says: "<5" for the default threshold."""
    return f"<{minimum}"
