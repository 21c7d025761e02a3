"""What a pass or a run did, as plain values: results, the run report, progress, stage timings."""
