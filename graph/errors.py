"""Errors of the graph layer, with what the user should do next."""


class NoDataset(Exception):
    """No build exists yet in the data directory."""

    def __init__(self, data_dir):
        super().__init__(f"no dataset in {data_dir}: run 'collabgraph build' first (or pass --data-dir)")


class QueryRefused(Exception):
    """A query that would change data or is otherwise not allowed on a read-only surface."""


class QueryTimeout(Exception):
    """A query ran longer than its limit."""


class DataDirBusy(Exception):
    """Another build holds the data directory's writer lock for longer than this one would wait."""
