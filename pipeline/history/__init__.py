"""History: every stored version of what the institutions sent, in order.

- :mod:`pipeline.history.punctuality`: for each institution and month, whether its
  report arrived by the due day, late or not at all, and every published figure a later
  file corrected (:func:`punctuality`, :class:`Punctuality`).
- :mod:`pipeline.history.channels`: the reporting channels as published: the
  registry's, updated by the lists institutions send, with a dated record of each
  change and the channels that vanished (:func:`directory`, :class:`Directory`); a list
  checked as a build reads it (:func:`check_channel_list`), which the collection is
  handed as an argument.

The build works out the channels beside the check, and punctuality from the checked
rows before the aggregation. Imports the base, the store, the checks' rows
(:mod:`pipeline.check`) and what the PII gate screens texts with (:mod:`pipeline.cases`,
:mod:`pipeline.privacy.pii`); never the aggregation, the site, the build or the command
line, and no earlier stage imports it (``tests/test_imports.py`` holds it to both).
"""
