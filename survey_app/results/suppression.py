"""Small-cell suppression for the report's breakdowns (pure functions, no database).

A group (a field, a region, a status) with fewer respondents than the threshold is
hidden ("<5"). Hiding one group alone is not enough while the total stays visible: the
total minus the shown groups would give it back. So when exactly one group of a
breakdown is hidden, the next smallest is hidden too; two hidden groups only ever give
away their sum. That sum gives each hidden group away too when it is all "yes" or all
"not yes" (0 % or 100 %), so then more groups are hidden (`hide_while_uniform`). The
same groups are hidden for every item of the breakdown (they are chosen by respondents,
not per item), so no item's column gives another one away.

Each table guards its own sums only: the field, region and status tables split the same
respondents, and someone who knows which unit is in which field and region could in
some layouts combine two tables (see the issue 6 notes).
"""

from collections.abc import Mapping

from .aggregate import ItemCounts


def hidden_groups(respondents: Mapping[str, int], minimum: int) -> set[str]:
    """The groups to hide, given each group's number of respondents."""
    hidden = {group for group, count in respondents.items() if count < minimum}
    shown = [group for group in respondents if group not in hidden]
    if len(hidden) == 1 and shown:
        # Complementary suppression: the smallest shown group (ties: by name, stable).
        hidden.add(min(shown, key=lambda group: (respondents[group], group)))
    return hidden


def _uniform_when_hidden(
    respondents: Mapping[str, int],
    hidden: set[str],
    counts: Mapping[str, Mapping[str, ItemCounts]],
    codes: list[str],
    totals: Mapping[str, ItemCounts],
) -> bool:
    """Whether the hidden groups together can be worked out as all "yes" or all "not
    yes" for some item: their combined "yes" and answered are the page's totals (shown
    in the items list whatever the table shows) minus the shown groups', and if that
    share is 0 % or 100 % (or nobody in them answered), it is every hidden group's own.
    Not counted when the whole round's share is 0 % or 100 %: that is public anyway."""
    for code in codes:
        total = totals.get(code, ItemCounts())
        total_yes = total.counts.get("yes", 0)
        if total_yes in (0, total.answered):
            continue
        shown = [
            counts.get(group, {}).get(code, ItemCounts())
            for group in respondents
            if group not in hidden
        ]
        yes = total_yes - sum(item.counts.get("yes", 0) for item in shown)
        answered = total.answered - sum(item.answered for item in shown)
        if yes in (0, answered):
            return True
    return False


def hide_while_uniform(
    respondents: Mapping[str, int],
    hidden: set[str],
    counts: Mapping[str, Mapping[str, ItemCounts]],
    codes: list[str],
    totals: Mapping[str, ItemCounts],
) -> set[str]:
    """`hidden_groups` plus, while the hidden groups' combined share of an
    item is 0 % or 100 % (see `_uniform_when_hidden`), the smallest shown group too."""
    hidden = set(hidden)
    while hidden and len(hidden) < len(respondents):
        if not _uniform_when_hidden(respondents, hidden, counts, codes, totals):
            break
        shown = [group for group in respondents if group not in hidden]
        hidden.add(min(shown, key=lambda group: (respondents[group], group)))
    return hidden


def total_gives_away(respondents: Mapping[str, int], hidden: set[str]) -> bool:
    """Whether the total would show a hidden group's own numbers: when every group of
    the breakdown is hidden and there is only one (a regional admin's region table)."""
    return len(hidden) == 1 and hidden == set(respondents)


def suppressed_label(minimum: int) -> str:
    """What a hidden cell says: "<5" for the default threshold."""
    return f"<{minimum}"
