"""The X API v2 collector: paging, cursors, budgets, the request ledger."""
