"""What a learner uses besides the check cells: hints, progress and comparison with the reference."""
