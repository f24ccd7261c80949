"""Hidden checks for lesson 1.6: the module 1 quiz and the broken training loop to fix."""
