"""Hidden checks for lesson 2.5: Mini-batching and data pipelines."""
