"""The stages of a run, one module each; each owns its loop over one outlet's inputs.

    discover  feeds and sitemaps -> candidate URLs           (network)
    fetch     candidate URLs -> archived bodies               (network; owns the fetch state)
    parse     archived bodies -> Articles                     (pure)
    extract   Articles -> Claims                              (pure, spaCy)
    load      staging files -> DuckDB, one transaction per outlet
    compare   DuckDB claims not yet compared -> clusters and alerts

``pipeline.runner`` wires them; the DAGs and the CLI call the runner.
"""
