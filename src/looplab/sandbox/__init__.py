"""Running untrusted student code in a separate, limited process.

`zygote` forks clean children, `child` is the code that runs in them, `runner`
is the parent's handle on one child, and `protocol` is the wire format between
them: JSON only, so nothing the student builds is ever unpickled by the checker.
"""
