"""Hidden checks for lesson 2.2: Forward and backward passes: the chain rule, backpropagation intuition."""
