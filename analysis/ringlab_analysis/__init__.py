"""ringlab_analysis: reports, A/B comparisons and history of ringlab results (results/SCHEMA.md v1)."""
__version__ = "0.1.0"
