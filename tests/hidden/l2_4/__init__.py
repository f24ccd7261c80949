"""Hidden checks for lesson 2.4: The role of activations: what they do to learning and expressiveness."""
