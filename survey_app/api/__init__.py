"""The JSON API (`/api/v1`), for other tools: bearer API tokens, region-scoped."""
