"""Hidden checks for lesson 1.5: numerical vs analytical gradients."""
