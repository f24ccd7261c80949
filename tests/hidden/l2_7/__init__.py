"""Hidden checks for lesson 2.7: the linear model against the MLP, the module 2 quiz, and the
broken MLP training loop to fix."""
