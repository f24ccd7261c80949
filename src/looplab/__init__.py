"""looplab: auto-graded exercises for "Learn the Training Loop with PyTorch".

The package is imported by every command, so it stays light: torch, pytest and
nbgrader are imported only by the modules that need them.
"""

__version__ = "0.1.0"
