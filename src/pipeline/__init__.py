"""Fact-check ingestion pipeline: fetch news, extract attributed claims, load DuckDB."""

__version__ = "0.1.0"
