"""Fuzz targets for the validators and the webhook path (atheris); see targets.py."""
