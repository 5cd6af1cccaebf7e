"""LINE as an intake channel, in plain Python: the conversation (:mod:`.chat`), what a LINE user may see
(:mod:`.cases`), which case events reach them and in what words (:mod:`.pushes`), and LINE's message
format and limits (:mod:`.messages`). The HTTP side is :mod:`eservice.line`."""
