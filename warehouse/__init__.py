"""The warehouse: the only writer of DuckDB."""
