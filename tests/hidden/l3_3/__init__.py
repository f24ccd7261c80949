"""Hidden checks for lesson 3.3: Weight initialisation: why it matters, common strategies."""
