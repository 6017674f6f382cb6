"""Runnable examples; a package so that `uvicorn examples.fastapi_app:...` imports from the repository root."""
