"""Hidden checks for lesson 1.4: the loss landscape of a one-feature linear model."""
