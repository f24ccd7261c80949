"""Hidden checks, one package per lesson; run by `looplab check`, never shipped to students."""
