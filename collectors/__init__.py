"""Collectors: network, paging, cursors and rate limits. They write landing files and never touch DuckDB."""
