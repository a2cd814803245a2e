"""Results of a round: the numbers, the report, the exports."""
