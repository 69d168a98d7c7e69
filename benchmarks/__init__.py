"""Speed benchmarks of the segment actions and the GraphQL API against plain baselines.

Run them from the repository root as modules, for example
`python -m benchmarks.segment_actions`. Results and the SQLite files they create go to
benchmarks/results/, which git ignores.
"""
