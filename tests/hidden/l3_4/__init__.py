"""Hidden checks for lesson 3.4: Deeper networks: vanishing/exploding gradients; normalisation, skip connections."""
