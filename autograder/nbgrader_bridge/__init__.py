"""The bridge to nbgrader: its configuration and the release of exercises."""
