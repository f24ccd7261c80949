"""Hidden checks for lesson 2.3: A one-hidden-layer network from scratch."""
