"""Hidden checks for lesson 1.1: the smallest training loop (loss, gradient, step, loop)."""
