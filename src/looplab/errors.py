"""The one error type the CLI turns into `error: ...` / `hint: ...` lines."""


class UsageError(Exception):
    """A mistake in how looplab was called; the CLI exits with status 2.

    `hint` tells the user what to do instead.
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
